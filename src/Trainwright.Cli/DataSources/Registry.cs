using Trainwright.Cli.Host;

namespace Trainwright.Cli.DataSources;

/// <summary>The data sources the command knows, asked in order which one reads a <c>--data</c> path.</summary>
internal static class Registry
{
    /// <summary>Every source, most specific first. The first one is also the default data set's (the bundled MNIST).</summary>
    public static IReadOnlyList<IDataSource> All { get; } = [new IdxFolderSource(), new ImageFolderSource(), new TableSource()];

    /// <summary>Opens <paramref name="request"/>'s data with the first source that can read it.</summary>
    /// <exception cref="CliException">The path is empty, does not exist, is not a regular file or folder, or no source reads it.</exception>
    public static ITrainingData Open(DataRequest request)
    {
        if (request.Path is null) return Open(All[0], request);
        var path = request.Path;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new CliException($"--data folder or file '{path}' does not exist. {ExpectsAll()}");
        if (File.Exists(path) && Trainwright.Data.RegularFile.WhatElse(path) is { } kind)
            throw new CliException($"--data '{path}' is {kind}, not a regular file or folder.");
        foreach (var source in All)
            if (source.CanRead(path)) return Open(source, request);
        throw new CliException($"--data '{path}' is not a data set trainwright reads. {ExpectsAll()}");
    }

    // A source that makes tensors before it has read its files gets libtorch loaded (and its thread count set) first.
    private static ITrainingData Open(IDataSource source, DataRequest request)
    {
        if (!source.ReadsBeforeLoadingTorch) Trainwright.Platform.TorchNative.EnsureLoaded();
        return source.Open(request);
    }

    /// <summary>
    /// The network trained on <paramref name="path"/> (null: the bundled MNIST) when <c>--model</c> is not given; the
    /// first source's when no source reads it (opening it then says why).
    /// </summary>
    public static Settings.ModelKind DefaultModelFor(string? path) =>
        (path is not null && (File.Exists(path) || Directory.Exists(path)) ? All.FirstOrDefault(s => s.CanRead(path)) : null)?.DefaultModel
        ?? All[0].DefaultModel;

    /// <summary>What each source reads, for messages.</summary>
    public static string ExpectsAll() => string.Join(" ", All.Select(s => s.Expects));
}
