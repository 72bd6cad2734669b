namespace Trainwright.Data;

/// <summary>
/// Decides the order a loader visits items in, epoch by epoch: sequential (0, 1, 2, …) or a shuffled permutation.
/// A shuffled order depends only on the seed and the epoch number, so it is reproducible for a seed, differs between
/// epochs, and every process of a distributed run that shares the seed computes the same order for the same epoch
/// (the basis for sharding, see <see cref="DataLoader{TItem}.Shard"/>).
/// </summary>
public sealed class Sampler
{
    /// <summary>Creates a sampler over <paramref name="count"/> items.</summary>
    /// <param name="count">Number of items (indices 0 … count-1).</param>
    /// <param name="shuffle">Whether each epoch visits a new random permutation.</param>
    /// <param name="seed">Seed for the permutations; null draws one from torch's global generator (when shuffling), so after
    /// <c>torch.manual_seed(n)</c> the same program visits the same orders (still fixed for this sampler's lifetime).</param>
    public Sampler(int count, bool shuffle, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        Shuffle = shuffle;
        Seed = seed ?? (shuffle ? SeedFromTorch() : 0);
    }

    /// <summary>
    /// A seed drawn from torch's global generator: it follows <c>torch.manual_seed</c>, as PyTorch's DataLoader does
    /// when it is given no generator.
    /// </summary>
    public static int SeedFromTorch()
    {
        using var draw = TorchSharp.torch.randint(0, int.MaxValue, [1], dtype: TorchSharp.torch.ScalarType.Int64);
        return (int)draw.item<long>();
    }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>Whether orders are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed the shuffled orders derive from.</summary>
    public int Seed { get; }

    /// <summary>The order of item indices for <paramref name="epoch"/> (a new array each call).</summary>
    public int[] Order(int epoch)
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (!Shuffle) return order;
        // System.Random with an explicit seed is a stable algorithm across runs and platforms; mixing the epoch into
        // the seed gives every epoch its own permutation without keeping state between epochs.
        var random = new Random(unchecked((Seed * 1_000_003) ^ (epoch * 7_919 + 17)));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Cuts <paramref name="order"/> into consecutive batches of <paramref name="batchSize"/> indices;
    /// the last batch is shorter unless <paramref name="dropLast"/> drops it.</summary>
    public static IEnumerable<int[]> Batches(int[] order, int batchSize, bool dropLast)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int size = Math.Min(batchSize, order.Length - start);
            if (size < batchSize && dropLast) yield break;
            yield return order[start..(start + size)];
        }
    }

    /// <summary>Number of batches <see cref="Batches"/> yields for <paramref name="itemCount"/> items.</summary>
    public static int BatchCount(int itemCount, int batchSize, bool dropLast)
        => dropLast ? itemCount / batchSize : (itemCount + batchSize - 1) / batchSize;
}
