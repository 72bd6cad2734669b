namespace Trainwright.Cli.DataSources;

/// <summary>
/// One kind of data the command reads through <c>--data</c> (an IDX folder today; image folders and tables next).
/// <see cref="DataSources.Registry"/> asks each source in turn whether it <see cref="CanRead"/> a path and opens the data
/// with the first that can. To add a kind of data, implement this and add it to <see cref="DataSources.Registry.All"/>.
/// </summary>
internal interface IDataSource
{
    /// <summary>A short name, recorded in checkpoints as <c>data.source</c> (e.g. <c>idx</c>).</summary>
    string Name { get; }

    /// <summary>What a path must look like for this source, for the message when no source recognises a path.</summary>
    string Expects { get; }

    /// <summary>
    /// Whether <paramref name="path"/> (an existing file or folder, absolute) looks like this source's data. Cheap and
    /// side-effect free: it may list a folder or read a file's first bytes, never load the data.
    /// </summary>
    bool CanRead(string path);

    /// <summary>The network trained when <c>--model</c> is not given (mlp for IDX, cnn for images, tabular for tables).</summary>
    Settings.ModelKind DefaultModel { get; }

    /// <summary>
    /// Whether <see cref="Open"/> reads its files before it makes its first tensor and calls
    /// <see cref="Trainwright.Platform.TorchNative.EnsureLoaded"/> there, so it may start while libtorch is still loading
    /// in the background (the reading overlaps the load). When false, libtorch is loaded before <see cref="Open"/>.
    /// </summary>
    bool ReadsBeforeLoadingTorch { get; }

    /// <summary>Loads the data (or the default data set when <see cref="DataRequest.Path"/> is null and this source provides one).</summary>
    /// <exception cref="Host.CliException">The data is missing, malformed or out of bounds; the message says what to fix.</exception>
    ITrainingData Open(DataRequest request);
}
