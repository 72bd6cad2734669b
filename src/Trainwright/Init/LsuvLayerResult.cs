namespace Trainwright.Init;

/// <summary>What LSUV did to one layer.</summary>
/// <param name="Name">Dotted path of the layer in the model.</param>
/// <param name="Iterations">How many times its weights (and bias) were rescaled/shifted.</param>
/// <param name="Mean">Mean of the layer's output on the batch afterwards.</param>
/// <param name="Std">Standard deviation of the layer's output on the batch afterwards.</param>
/// <param name="Converged">True when |std − 1| and |mean| (mean only for layers with a bias) ended below the tolerance.</param>
public sealed record LsuvLayerResult(string Name, int Iterations, double Mean, double Std, bool Converged);
