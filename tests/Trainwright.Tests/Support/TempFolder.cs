namespace Trainwright.Tests.Support;

/// <summary>A fresh temporary folder, deleted on dispose: the one temp-folder helper of the tests.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "trainwright-test-")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
