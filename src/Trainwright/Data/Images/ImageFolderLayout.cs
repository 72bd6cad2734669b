namespace Trainwright.Data.Images;

/// <summary>How an image folder arranges its files into classes and splits (detected by <see cref="ImageFolderScanner"/>).</summary>
public enum ImageFolderLayout
{
    /// <summary><c>ROOT/train/&lt;class&gt;/…</c> and <c>ROOT/valid/&lt;class&gt;/…</c> (or <c>val/</c>), optionally <c>ROOT/test/&lt;class&gt;/…</c>.</summary>
    SplitFolders,
    /// <summary><c>ROOT/&lt;class&gt;/…</c>: a seeded, class-stratified random validation split.</summary>
    ClassFolders,
    /// <summary>A CSV with <c>path,label</c> columns, paths relative to it: a seeded, class-stratified random validation split.</summary>
    LabelsFile,
}
