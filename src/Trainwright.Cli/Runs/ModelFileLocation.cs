using Trainwright.Cli.Host;

namespace Trainwright.Cli.Runs;

/// <summary>Where a run's exported model is, and how <c>--model</c> names one: a run folder or the file itself.</summary>
internal static class ModelFileLocation
{
    /// <summary>The model file every training run writes beside its checkpoints.</summary>
    public const string FileName = "model.trainwright";

    /// <summary>The model file that <paramref name="runOrFile"/> names (a run folder holding <see cref="FileName"/>, or the file).</summary>
    /// <exception cref="CliException">Nothing usable is there.</exception>
    public static string Resolve(string runOrFile, string option)
    {
        if (string.IsNullOrWhiteSpace(runOrFile))
            throw new CliException($"{option} is empty; give a run folder (runs/<time>) or a {FileName} file.");
        if (Directory.Exists(runOrFile))
        {
            var inFolder = Path.Combine(runOrFile, FileName);
            if (File.Exists(inFolder)) return inFolder;
            throw new CliException(
                $"{option} '{runOrFile}' holds no {FileName}; runs write it when training ends. Give a finished run's folder, or the file itself.");
        }
        if (File.Exists(runOrFile))
        {
            if (Data.RegularFile.WhatElse(runOrFile) is { } kind)
                throw new CliException($"{option} '{runOrFile}' is {kind}, not a model file; give a run folder or a {FileName} file.");
            return runOrFile;
        }
        throw new CliException($"{option} '{runOrFile}' does not exist; give a run folder (runs/<time>) or a {FileName} file.");
    }
}
