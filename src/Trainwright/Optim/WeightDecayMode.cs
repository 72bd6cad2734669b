namespace Trainwright.Optim;

/// <summary>How an optimizer applies its weight decay hyperparameter <see cref="Hyper.Wd"/>.</summary>
public enum WeightDecayMode
{
    /// <summary>
    /// L2 regularisation: wd·p is added to the gradient before the update, so it goes through momentum and Adam's
    /// scaling (torch.optim.SGD's and torch.optim.Adam's <c>weight_decay</c>).
    /// </summary>
    L2,

    /// <summary>
    /// Decoupled weight decay: p ← p − lr·wd·p beside the gradient update, untouched by momentum or Adam's scaling
    /// (torch.optim.AdamW; fastai's default).
    /// </summary>
    Decoupled,
}
