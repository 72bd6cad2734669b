namespace Trainwright.Data.Images;

/// <summary>What <see cref="ImageFolderScanner"/> found in an image folder, before any image is decoded.</summary>
/// <param name="Root">Full path of the folder.</param>
/// <param name="Layout">The detected layout.</param>
/// <param name="ClassNames">Class names, sorted ordinally; a label is an index into this list.</param>
/// <param name="Files">Image files, training first, then validation, then test, each split in path order.</param>
/// <param name="IgnoredFiles">Files without an image extension (text files, .DS_Store, …), ignored.</param>
/// <param name="Skipped">Files listed but unusable (e.g. missing from a labels file) when bad images are skipped.</param>
/// <param name="RandomValidation">True when the validation split was drawn at random from the training images.</param>
public sealed record ImageFolderScan(string Root, ImageFolderLayout Layout, IReadOnlyList<string> ClassNames,
    IReadOnlyList<ImageFile> Files, int IgnoredFiles, IReadOnlyList<SkippedImage> Skipped, bool RandomValidation);
