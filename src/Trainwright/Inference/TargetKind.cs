namespace Trainwright.Inference;

/// <summary>What the model's outputs mean.</summary>
public enum TargetKind
{
    /// <summary>One logit per class; predictions are a softmax over them.</summary>
    Classification,

    /// <summary>One value per named output, used as given.</summary>
    Regression,
}
