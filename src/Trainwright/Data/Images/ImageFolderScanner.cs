using System.IO.Enumeration;
using System.Runtime.ExceptionServices;

namespace Trainwright.Data.Images;

/// <summary>
/// Finds the images of a folder and their classes and splits, in any <see cref="ImageFolderLayout"/>. Every problem
/// (no images, an empty class folder, a single class, an unreadable folder, a symlink loop, a bad labels file) is an
/// <see cref="ImageDataException"/> with one line naming the folder or file and what to do.
/// </summary>
public static class ImageFolderScanner
{
    /// <summary>Names accepted for the validation folder, in order of preference.</summary>
    public static IReadOnlyList<string> ValidFolderNames { get; } = ["valid", "val", "validation"];

    /// <summary>Scans <paramref name="root"/>.</summary>
    public static ImageFolderScan Scan(string root, ImageFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var full = Path.GetFullPath(root);
        if (File.Exists(full) && !Directory.Exists(full))
            throw new ImageDataException($"'{root}' is a file, not an image folder; give the folder that holds the class folders.", full);
        if (!Directory.Exists(full))
            throw new ImageDataException($"Image folder '{root}' does not exist; check the path.", full);

        var labels = options.LabelsFile ?? Path.Combine(full, "labels.csv");
        if (options.LabelsFile is not null || File.Exists(labels))
            return FromLabelsFile(full, Path.GetFullPath(labels), options);

        var train = Path.Combine(full, "train");
        if (Directory.Exists(train))
        {
            var valid = ValidFolderNames.Select(n => Path.Combine(full, n)).FirstOrDefault(Directory.Exists);
            var test = Path.Combine(full, "test");
            return FromSplitFolders(full, train, valid, Directory.Exists(test) ? test : null, options);
        }
        return FromClassFolders(full, options);
    }

    private static ImageFolderScan FromClassFolders(string root, ImageFolderOptions options)
    {
        int ignored = 0;
        var classes = ListClasses(root, ref ignored);
        var perClass = ListClassImages(root, classes, options.DecodeWorkers, ref ignored);
        CheckClasses(root, classes, perClass);
        var (trainFiles, validFiles) = RandomSplit(perClass, options);
        return new(root, ImageFolderLayout.ClassFolders, classes, [.. trainFiles, .. validFiles], ignored, [], true);
    }

    private static ImageFolderScan FromSplitFolders(string root, string train, string? valid, string? test, ImageFolderOptions options)
    {
        int ignored = 0;
        var classes = ListClasses(train, ref ignored);
        var perClass = ListClassImages(train, classes, options.DecodeWorkers, ref ignored);
        CheckClasses(train, classes, perClass);
        List<ImageFile> trainFiles, validFiles;
        if (valid is null)
        {
            (trainFiles, validFiles) = RandomSplit(perClass, options);
        }
        else
        {
            trainFiles = Labelled(perClass, ImageSplit.Train);
            validFiles = SplitFolder(valid, classes, ImageSplit.Valid, ref ignored);
            if (validFiles.Count == 0)
                throw new ImageDataException($"The validation folder '{valid}' has no images; add images in {valid}/<class>/ or remove it for a random split.", valid);
        }
        var testFiles = test is null ? [] : SplitFolder(test, classes, ImageSplit.Test, ref ignored);
        return new(root, ImageFolderLayout.SplitFolders, classes, [.. trainFiles, .. validFiles, .. testFiles], ignored, [], valid is null);
    }

    private static List<ImageFile> SplitFolder(string folder, IReadOnlyList<string> classes, ImageSplit split, ref int ignored)
    {
        var names = ListClasses(folder, ref ignored, allowSingle: true);
        var files = new List<ImageFile>();
        foreach (var name in names)
        {
            int label = IndexOf(classes, name);
            if (label < 0)
                throw new ImageDataException(
                    $"'{Path.Combine(folder, name)}' is a class that train/ does not have ({Show(classes)}); rename it to a training class or remove it.",
                    Path.Combine(folder, name));
            var images = ListImages(Path.Combine(folder, name), ref ignored);
            if (images.Count == 0)
                throw EmptyClass(Path.Combine(folder, name));
            files.AddRange(images.Select(p => new ImageFile(p, label, split)));
        }
        return files;
    }

    private static ImageFolderScan FromLabelsFile(string root, string csv, ImageFolderOptions options)
    {
        if (!File.Exists(csv))
            throw new ImageDataException($"Labels file '{csv}' does not exist; check the path.", csv);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(csv);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDataException($"Cannot read labels file '{csv}': {e.Message}", csv, e);
        }
        if (lines.Length == 0)
            throw new ImageDataException($"Labels file '{csv}' is empty; it needs a header line 'path,label' and one line per image.", csv);
        var header = CsvLine.Split(lines[0]).Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int pathColumn = Array.IndexOf(header, "path"), labelColumn = Array.IndexOf(header, "label");
        if (pathColumn < 0 || labelColumn < 0)
            throw new ImageDataException($"Labels file '{csv}' needs columns named 'path' and 'label' in its first line; found '{lines[0]}'.", csv);
        var folder = Path.GetDirectoryName(csv)!;
        var rows = new List<(string Path, string Label)>();
        var skipped = new List<SkippedImage>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var cells = CsvLine.Split(lines[i]);
            if (cells.Count <= Math.Max(pathColumn, labelColumn) || string.IsNullOrWhiteSpace(cells[pathColumn]) || string.IsNullOrWhiteSpace(cells[labelColumn]))
                throw new ImageDataException($"Labels file '{csv}' line {i + 1} needs a path and a label; found '{lines[i]}'.", csv);
            var path = Path.GetFullPath(Path.Combine(folder, cells[pathColumn].Trim()));
            if (!File.Exists(path))
            {
                if (!options.SkipBadImages)
                    throw new ImageDataException(
                        $"Image '{path}' listed on line {i + 1} of '{csv}' does not exist; fix the path, or skip bad images to train without it.", path);
                skipped.Add(new(path, $"listed on line {i + 1} of {Path.GetFileName(csv)} but does not exist"));
                continue;
            }
            rows.Add((path, cells[labelColumn].Trim()));
        }
        var classes = rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (rows.Count == 0)
            throw new ImageDataException($"Labels file '{csv}' lists no images; add lines 'path,label'.", csv);
        if (classes.Length < 2)
            throw new ImageDataException($"Labels file '{csv}' has only one label ('{classes[0]}'); a classifier needs at least two.", csv);
        var perClass = classes.Select(c => (IReadOnlyList<string>)rows.Where(r => r.Label == c).Select(r => r.Path).Order(StringComparer.Ordinal).ToList()).ToArray();
        var (train, valid) = RandomSplit(perClass, options);
        return new(root, ImageFolderLayout.LabelsFile, classes, [.. train, .. valid], 0, skipped, true);
    }

    private static string[] ListClasses(string folder, ref int ignored, bool allowSingle = false)
    {
        var (files, folders) = Entries(folder);
        var dirs = folders.Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();
        var loose = files.ToArray();
        int looseImages = loose.Count(ImageDecoder.IsImageFile);
        ignored += loose.Length - looseImages;
        if (dirs.Length == 0)
            throw new ImageDataException(looseImages > 0
                ? $"'{folder}' holds images but no class folders; put each class's images in its own folder ({folder}/<class>/) or add a labels.csv with path,label columns."
                : $"'{folder}' has no class folders and no images; point at a folder with one sub-folder of images per class.", folder);
        if (looseImages > 0)
            throw new ImageDataException(
                $"'{folder}' has {looseImages} image(s) outside the class folders (e.g. '{Path.GetFileName(loose.First(ImageDecoder.IsImageFile))}'); move them into a class folder or remove them.", folder);
        if (dirs.Length == 1 && !allowSingle)
            throw new ImageDataException($"'{folder}' has only one class folder ('{dirs[0]}'); a classifier needs at least two classes.", folder);
        return dirs;
    }

    private static void CheckClasses(string folder, string[] classes, IReadOnlyList<string>[] perClass)
    {
        if (perClass.All(p => p.Count == 0))
            throw new ImageDataException($"No images found under '{folder}' (looked for {string.Join(", ", ImageDecoder.Extensions.Order())}).", folder);
        for (int i = 0; i < classes.Length; i++)
            if (perClass[i].Count == 0) throw EmptyClass(Path.Combine(folder, classes[i]));
    }

    private static ImageDataException EmptyClass(string folder) =>
        new($"Class folder '{folder}' has no images; add images to it or remove it.", folder);

    // The images of each class folder; with decode workers, class folders are listed by that many threads at once (the
    // serial rest of a parallel decode). The first failure in class order is thrown, as a serial listing would.
    private static IReadOnlyList<string>[] ListClassImages(string folder, string[] classes, int workers, ref int ignored)
    {
        var perClass = new IReadOnlyList<string>[classes.Length];
        if (workers < 2 || classes.Length < 2)
        {
            for (int k = 0; k < classes.Length; k++) perClass[k] = ListImages(Path.Combine(folder, classes[k]), ref ignored);
            return perClass;
        }
        var counts = new int[classes.Length];
        var failures = new Exception?[classes.Length];
        Parallel.For(0, classes.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
        {
            try { perClass[k] = ListImages(Path.Combine(folder, classes[k]), ref counts[k]); }
            catch (Exception e) { failures[k] = e; }
        });
        if (failures.FirstOrDefault(e => e is not null) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
        ignored += counts.Sum();
        return perClass;
    }

    // All image files under a class folder, recursively, following symlinks but refusing loops.
    private static List<string> ListImages(string classFolder, ref int ignored)
    {
        var found = new List<string>();
        var chain = new HashSet<string>(StringComparer.Ordinal);
        Walk(classFolder, chain, found, ref ignored);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Walk(string folder, HashSet<string> chain, List<string> found, ref int ignored)
    {
        var real = RealPath(folder);
        if (!chain.Add(real))
            throw new ImageDataException($"'{folder}' is a symbolic link back to '{real}', which contains it (a loop); remove the link.", folder);
        var (files, folders) = Entries(folder);
        foreach (var file in files)
        {
            if (ImageDecoder.IsImageFile(file) && !Path.GetFileName(file).StartsWith('.')) found.Add(file);
            else ignored++;
        }
        folders.Sort(StringComparer.Ordinal);
        foreach (var dir in folders)
            if (!Path.GetFileName(dir).StartsWith('.')) Walk(dir, chain, found, ref ignored);
        chain.Remove(real);
    }

    private static string RealPath(string folder)
    {
        var info = new DirectoryInfo(folder);
        try
        {
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            return Path.TrimEndingDirectorySeparator(target?.FullName ?? info.FullName);
        }
        catch (IOException e)
        {
            throw new ImageDataException($"'{folder}' is a symbolic link that cannot be followed ({e.Message}); remove the link.", folder, e);
        }
    }

    // The files and the folders in a folder, from one pass over it (as Directory.GetFiles and GetDirectories list them:
    // a symbolic link counts as what it points to).
    private static (List<string> Files, List<string> Folders) Entries(string folder)
    {
        var files = new List<string>();
        var folders = new List<string>();
        try
        {
            var entries = new FileSystemEnumerable<(string Path, bool Folder)>(folder,
                (ref FileSystemEntry e) => (e.ToSpecifiedFullPath(), e.IsDirectory),
                new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false });
            foreach (var (path, isFolder) in entries) (isFolder ? folders : files).Add(path);
            return (files, folders);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ImageDataException($"Cannot read folder '{folder}': {e.Message} Check its permissions.", folder, e);
        }
    }

    private static List<ImageFile> Labelled(IReadOnlyList<string>[] perClass, ImageSplit split) =>
        perClass.SelectMany((files, label) => files.Select(f => new ImageFile(f, label, split))).ToList();

    // Per class, a seeded shuffle puts round(n · validPct) images in validation (at least one when the class has two or more).
    private static (List<ImageFile> Train, List<ImageFile> Valid) RandomSplit(IReadOnlyList<string>[] perClass, ImageFolderOptions options)
    {
        var train = new List<ImageFile>();
        var valid = new List<ImageFile>();
        var random = new Random(options.Seed);
        for (int label = 0; label < perClass.Length; label++)
        {
            var files = perClass[label];
            int n = files.Count;
            // Shuffling positions draws what shuffling the paths would: the first nValid drawn are validation.
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            random.Shuffle(order);
            int nValid = n < 2 ? 0 : Math.Clamp((int)Math.Round(n * options.ValidPct), 1, n - 1);
            var isValid = new bool[n];
            for (int k = 0; k < nValid; k++) isValid[order[k]] = true;
            for (int i = 0; i < n; i++)
                (isValid[i] ? valid : train).Add(new ImageFile(files[i], label, isValid[i] ? ImageSplit.Valid : ImageSplit.Train));
        }
        SortByPath(train);
        SortByPath(valid);
        return (train, valid);
    }

    // Each class's paths arrive sorted, so the whole list usually is too: sort only when it is not.
    private static void SortByPath(List<ImageFile> files)
    {
        for (int i = 1; i < files.Count; i++)
            if (string.CompareOrdinal(files[i - 1].Path, files[i].Path) > 0)
            {
                files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
                return;
            }
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++) if (string.Equals(list[i], item, StringComparison.Ordinal)) return i;
        return -1;
    }

    private static string Show(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? ", …" : "");
}
