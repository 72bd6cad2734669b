using System.Diagnostics;
using Trainwright.Data;

namespace Trainwright.Tests.Support;

/// <summary>
/// Named pipes standing in for devices in tests: a writer that replaced or wrote through an output path that is not a
/// regular file would do the same to <c>/dev/null</c> run as root, and no test may touch a real device.
/// </summary>
internal static class Fifo
{
    public const string Kind = "a FIFO (named pipe)";

    /// <summary>Makes a FIFO at <paramref name="path"/> with <c>mkfifo</c> (Unix only) and returns the path.</summary>
    public static string Make(string path)
    {
        using var mk = Process.Start("mkfifo", [path]);
        mk.WaitForExit();
        Assert.True(mk.ExitCode == 0, $"mkfifo {path} failed with {mk.ExitCode}");
        Assert.Equal(Kind, RegularFile.WhatElse(path));
        return path;
    }

    /// <summary>Asserts that <paramref name="path"/> is still a FIFO: nothing renamed a file over it or removed it.</summary>
    public static void AssertStillAFifo(string path) => Assert.Equal(Kind, RegularFile.WhatElse(path));

    /// <summary>
    /// Runs <paramref name="action"/> and fails if it does not return within <paramref name="seconds"/>: a writer that
    /// opened a FIFO would wait for a reader forever.
    /// </summary>
    public static void Within(Action action, int seconds = 60)
    {
        var run = Task.Factory.StartNew(action, TaskCreationOptions.LongRunning);
        if (Task.WaitAny([run], TimeSpan.FromSeconds(seconds)) < 0)
            Assert.Fail($"did not finish within {seconds} s (blocked on a FIFO?)");
        run.GetAwaiter().GetResult(); // the action's own exception or assertion failure, unwrapped
    }
}
