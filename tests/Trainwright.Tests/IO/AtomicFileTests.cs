using System.Diagnostics;
using Trainwright.Data;
using Trainwright.IO;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.IO;

/// <summary>
/// Model files, ONNX files and evaluation reports are written by renaming a temporary file over the target. Run as root,
/// that rename replaced <c>/dev/null</c> with a regular file (<c>export --onnx /dev/null</c>); a target that is not a
/// regular file must be refused and left as it is. A FIFO stands in for the device here.
/// </summary>
public class AtomicFileTests
{
    [Fact]
    public void ATargetThatIsNotARegularFileIsRefusedAndLeftAsItIs()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempFolder();
        var fifo = dir.File("pipe");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        Assert.Equal("a FIFO (named pipe)", RegularFile.WhatElse(fifo));

        var e = Assert.Throws<IOException>(() => AtomicFile.WriteText(fifo, "text"));
        Assert.Equal($"'{fifo}' is a FIFO (named pipe), not a regular file; give the path of a file to write.", e.Message);
        Assert.Equal("a FIFO (named pipe)", RegularFile.WhatElse(fifo));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path)); // no temporary file left behind

        // A regular file is replaced as before.
        var file = dir.File("report.md");
        File.WriteAllText(file, "old");
        AtomicFile.WriteText(file, "new");
        Assert.Equal("new", File.ReadAllText(file));
    }
}
