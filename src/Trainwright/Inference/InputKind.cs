namespace Trainwright.Inference;

/// <summary>What a model's input items are, which decides how raw input is prepared.</summary>
public enum InputKind
{
    /// <summary>Numbers of a fixed shape (e.g. an IDX item), used as given apart from normalisation.</summary>
    Tensor,

    /// <summary>Images: decoded, resized to the training size, scaled to [0, 1] and normalised per channel.</summary>
    Image,

    /// <summary>Rows of a table: categorical and continuous columns.</summary>
    Table,
}
