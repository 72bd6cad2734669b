using System.Text;
using Trainwright.Distributed;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// After each process of a group has decoded its contiguous share of a folder's files, every share is broadcast from
/// the process that decoded it: what each file gave (sizes, grey, lengths, sums, the reason a file failed) and its
/// decoded rows. Afterwards every process holds the same outcomes and pixels as a single process decoding everything.
/// </summary>
internal static class ImageShareExchange
{
    private const int Fields = 12;
    // Rows travel in pieces of at most this many bytes (a managed buffer per piece).
    private const int Piece = 32 << 20;

    public static void Exchange(ICommunicator group, int files, int trainFiles, ImageFolderDecoder.Outcome[] outcomes,
        Tensor train, Tensor rest, bool skipBad)
    {
        bool anyBad = false;
        for (int root = 0; root < group.Size; root++)
        {
            int from = (int)((long)files * root / group.Size), to = (int)((long)files * (root + 1) / group.Size);
            bool mine = root == group.Rank;
            var meta = new long[Fields * (to - from)];
            if (mine) for (int i = from; i < to; i++) Encode(outcomes[i], meta.AsSpan(Fields * (i - from), Fields));
            group.Broadcast(meta, root);
            var reasons = Reasons(group, root, mine, from, to, outcomes);
            if (!mine)
                for (int i = from; i < to; i++)
                    outcomes[i] = Decode(meta.AsSpan(Fields * (i - from), Fields), reasons.GetValueOrDefault(i));
            anyBad |= reasons.Count > 0;
        }
        // Every process now knows the same outcomes: a bad file without skipping stops them all alike, so the pixels
        // need not travel.
        if (anyBad && !skipBad) return;
        for (int root = 0; root < group.Size; root++)
        {
            int from = (int)((long)files * root / group.Size), to = (int)((long)files * (root + 1) / group.Size);
            int trainFrom = Math.Min(from, trainFiles), trainTo = Math.Min(to, trainFiles);
            int restFrom = Math.Max(from, trainFiles) - trainFiles, restTo = Math.Max(to, trainFiles) - trainFiles;
            if (trainTo > trainFrom) Rows(group, root, train, trainFrom, trainTo);
            if (restTo > restFrom) Rows(group, root, rest, restFrom, restTo);
        }
    }

    private static void Encode(ImageFolderDecoder.Outcome o, Span<long> f)
    {
        f[0] = o.Shown.Width; f[1] = o.Shown.Height; f[2] = o.Grey ? 1 : 0; f[3] = o.Length; f[4] = o.Transposed ? 1 : 0;
        f[5] = o.Sums.R; f[6] = o.Sums.G; f[7] = o.Sums.B; f[8] = o.Sums.RR; f[9] = o.Sums.GG; f[10] = o.Sums.BB;
        f[11] = o.Error is null ? 0 : 1;
    }

    private static ImageFolderDecoder.Outcome Decode(ReadOnlySpan<long> f, ImageDataException? error) =>
        error is not null ? new(default, false, 0, false, default, error)
        : new(new ImageSize((int)f[0], (int)f[1]), f[2] == 1, (int)f[3], f[4] == 1, new PixelSums(f[5], f[6], f[7], f[8], f[9], f[10]), null);

    // The share's failed files with their exceptions' messages and paths, as UTF-8 lines "index\tpath\tmessage".
    private static Dictionary<int, ImageDataException> Reasons(ICommunicator group, int root, bool mine, int from, int to,
        ImageFolderDecoder.Outcome[] outcomes)
    {
        byte[] text = [];
        if (mine)
        {
            var lines = new StringBuilder();
            for (int i = from; i < to; i++)
                if (outcomes[i].Error is { } e)
                    lines.Append(i).Append('\t').Append(Clean(e.Path ?? "")).Append('\t').Append(Clean(e.Message)).Append('\n');
            text = Encoding.UTF8.GetBytes(lines.ToString());
        }
        var length = new[] { (long)text.Length };
        group.Broadcast(length, root);
        if (!mine) text = new byte[length[0]];
        if (text.Length > 0) group.Broadcast(text, root);
        var result = new Dictionary<int, ImageDataException>();
        foreach (var line in Encoding.UTF8.GetString(text).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t', 3);
            int index = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            result[index] = mine ? outcomes[index].Error! : new ImageDataException(parts[2], parts[1].Length == 0 ? null : parts[1]);
        }
        return result;
    }

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ');

    private static unsafe void Rows(ICommunicator group, int root, Tensor rows, int from, int to)
    {
        long rowBytes = rows.numel() / rows.shape[0];
        byte* start;
        using (NewDisposeScope()) start = (byte*)RowCopy.BasePointer(rows) + from * rowBytes;
        long total = (to - from) * rowBytes;
        bool mine = root == group.Rank;
        var buffer = new byte[(int)Math.Min(Piece, total)];
        for (long at = 0; at < total; at += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, total - at);
            var piece = n == buffer.Length ? buffer : new byte[n];
            if (mine) new ReadOnlySpan<byte>(start + at, n).CopyTo(piece);
            group.Broadcast(piece, root);
            if (!mine) piece.AsSpan().CopyTo(new Span<byte>(start + at, n));
        }
    }
}
