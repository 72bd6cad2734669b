using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// Yields mini-batches from a dataset, epoch after epoch (the lesson's DataLoader, with background workers).
/// </summary>
/// <remarks>
/// <para>Each enumeration is one epoch: the <see cref="Sampler"/> gives the item order for <see cref="Epoch"/> (then
/// <see cref="Epoch"/> advances), the optional <see cref="IndexFilter"/> narrows it (e.g. <see cref="Shard"/>), the order is cut
/// into batches of <see cref="BatchSize"/>, and each batch's items are fetched and collated. A
/// <see cref="TensorPairDataset"/> with the default collate skips per-item fetching: the batch is gathered with one
/// <c>index_select</c> per tensor.</para>
/// <para>Ownership: the consumer owns every yielded <see cref="Batch"/> and disposes it. Temporaries of fetching and
/// collating are disposed by the loader; batch tensors are kept out of every dispose scope, so a scope the consumer has
/// open does not capture them (and TorchSharp's scopes are per thread, so worker-made tensors could not be in the
/// consumer's scope anyway). A collate function must return new tensors, not tensors the dataset keeps.</para>
/// <para>Workers: with <see cref="NumWorkers"/> &gt; 0, that many background threads prepare upcoming batches while the
/// consumer trains; batches are still yielded in order, and at most 2 × <see cref="NumWorkers"/> are prepared ahead.
/// An error while making a batch is rethrown to the consumer when it reaches that batch, as a
/// <see cref="DataLoaderException"/> naming the item index. Leaving the enumeration early (break, exception) stops the
/// workers and disposes every prepared batch nobody consumed.</para>
/// <para>Threads: libtorch's intra-op thread pool is process-wide and sized to the cores. Per-item fetches of a few
/// elements stay below ATen's parallel grain size and add no intra-op threads, but a batch gather (64 MNIST rows are
/// 50,176 elements) and any heavy tensor math in a dataset or collate do start an intra-op team, on each worker as on the
/// training thread. Keep <c>NumWorkers + torch.get_num_threads()</c> near the core count (lower
/// <c>torch.set_num_threads</c> in the application); the loader never changes torch's thread settings because they are
/// global. On a machine whose cores are busy with other work, intra-op synchronisation can dominate small gathers: one
/// shuffled MNIST epoch took 0.3–12 s with 2 intra-op threads against about 25 ms with <c>OMP_NUM_THREADS=1</c> on a
/// loaded 2-core host, so prefer one intra-op thread when batches are small and the machine is shared.</para>
/// </remarks>
/// <typeparam name="TItem">What the dataset returns for one index.</typeparam>
public sealed class DataLoader<TItem> : IDataLoader
{
    private readonly Func<IReadOnlyList<TItem>, Batch>? collate;
    private readonly TensorPairDataset? gatherable;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The items.</param>
    /// <param name="batchSize">Items per batch (at least 1).</param>
    /// <param name="shuffle">Whether each epoch visits a new permutation.</param>
    /// <param name="seed">Seed of the shuffled orders; null picks one at random.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="collate">Turns a batch's items into a <see cref="Batch"/>; null uses <see cref="Collate.StackPairs"/>,
    /// which needs <typeparamref name="TItem"/> to be <c>(Tensor, Tensor)</c>.</param>
    /// <param name="numWorkers">Background threads preparing batches; 0 makes them on the consumer's thread.</param>
    public DataLoader(IDataset<TItem> dataset, int batchSize, bool shuffle = false, int? seed = null, bool dropLast = false,
        Func<IReadOnlyList<TItem>, Batch>? collate = null, int numWorkers = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(numWorkers);
        if (collate is null)
        {
            if (typeof(TItem) != typeof((Tensor, Tensor)))
                throw new ArgumentException(
                    $"Items of type {typeof(TItem).Name} need a collate function; the default one only stacks (Tensor, Tensor) pairs.", nameof(collate));
            gatherable = dataset as TensorPairDataset;
            var stackPairs = new Func<IReadOnlyList<(Tensor X, Tensor Y)>, Batch>(Collate.StackPairs);
            this.collate = (Func<IReadOnlyList<TItem>, Batch>)(object)stackPairs;
        }
        else
        {
            this.collate = collate;
        }
        Dataset = dataset;
        BatchSize = batchSize;
        DropLast = dropLast;
        NumWorkers = numWorkers;
        Sampler = new Sampler(dataset.Count, shuffle, seed);
    }

    /// <summary>The items.</summary>
    public IDataset<TItem> Dataset { get; }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Background threads preparing batches (0: none).</summary>
    public int NumWorkers { get; }

    /// <summary>Gives each epoch's item order.</summary>
    public Sampler Sampler { get; }

    /// <summary>
    /// The epoch the next enumeration visits; it advances by one each time an enumeration starts. Set it to make all
    /// processes of a distributed run agree on the order (like PyTorch's <c>set_epoch</c>).
    /// </summary>
    public int Epoch { get; set; }

    /// <summary>
    /// Optional narrowing of each epoch's order, applied after the sampler (e.g. keep this process's shard).
    /// It receives the full order and returns the indices to visit, in visiting order.
    /// </summary>
    public Func<int[], int[]>? IndexFilter { get; set; }

    /// <summary>
    /// Makes this loader visit only shard <paramref name="rank"/> of <paramref name="worldSize"/>: positions
    /// rank, rank + worldSize, … of each epoch's order. With <see cref="ShardTail.Drop"/> (for training) the order's tail
    /// that does not divide evenly is dropped so every shard has the same number of items (collective operations need
    /// equal step counts); with <see cref="ShardTail.Keep"/> (for validation, whose sums are combined) nothing is
    /// dropped and shards differ by at most one item. All processes must use the same seed. Replaces any
    /// <see cref="IndexFilter"/>.
    /// </summary>
    public void Shard(int rank, int worldSize, ShardTail tail = ShardTail.Drop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Rank must be in [0, {worldSize}).");
        IndexFilter = order =>
        {
            int length = tail == ShardTail.Drop ? order.Length / worldSize : (order.Length - rank + worldSize - 1) / worldSize;
            var shard = new int[length];
            for (int i = 0; i < shard.Length; i++) shard[i] = order[rank + i * worldSize];
            return shard;
        };
    }

    /// <summary>The item indices epoch <paramref name="epoch"/> visits, in order (sampler order, then <see cref="IndexFilter"/>).</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = Sampler.Order(epoch);
        if (IndexFilter is null) return order;
        var filtered = IndexFilter(order) ?? throw new InvalidOperationException("IndexFilter returned null; return an empty array to visit nothing.");
        foreach (var index in filtered)
            if ((uint)index >= (uint)Dataset.Count)
                throw new InvalidOperationException($"IndexFilter returned index {index}, outside the dataset's [0, {Dataset.Count}).");
        return filtered;
    }

    /// <inheritdoc />
    public int ItemCount
    {
        get
        {
            int visited = IndexFilter is null ? Dataset.Count : EpochOrder(Epoch).Length;
            return DropLast ? visited / BatchSize * BatchSize : visited;
        }
    }

    /// <inheritdoc />
    public int BatchCount => Sampler.BatchCount(IndexFilter is null ? Dataset.Count : EpochOrder(Epoch).Length, BatchSize, DropLast);

    /// <summary>Enumerates one epoch; see the class remarks for ownership and workers.</summary>
    public IEnumerator<Batch> GetEnumerator() => Enumerate().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<Batch> Enumerate()
    {
        var batches = Sampler.Batches(EpochOrder(Epoch++), BatchSize, DropLast).ToArray();
        return NumWorkers == 0 ? OnThisThread(batches) : OnWorkers(batches);
    }

    private IEnumerable<Batch> OnThisThread(int[][] batches)
    {
        for (int k = 0; k < batches.Length; k++)
            yield return MakeBatch(k, batches[k]);
    }

    private IEnumerable<Batch> OnWorkers(int[][] batches)
    {
        int count = batches.Length;
        var results = new TaskCompletionSource<Batch>[count];
        for (int k = 0; k < count; k++) results[k] = new TaskCompletionSource<Batch>();
        using var stop = new CancellationTokenSource();
        // One slot per batch prepared but not yet consumed: bounds memory and keeps workers just ahead of the consumer.
        using var slots = new SemaphoreSlim(2 * NumWorkers);
        int claimed = -1;

        void Work()
        {
            try
            {
                while (true)
                {
                    slots.Wait(stop.Token);
                    int k = Interlocked.Increment(ref claimed);
                    if (k >= count || stop.IsCancellationRequested) return;
                    try { results[k].SetResult(MakeBatch(k, batches[k])); }
                    catch (Exception e) { results[k].SetException(e); }
                }
            }
            catch (OperationCanceledException)
            {
                // The consumer left the epoch; nothing more to do.
            }
        }

        var workers = new Thread[NumWorkers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = new Thread(Work) { IsBackground = true, Name = $"Trainwright data worker {w}" };
            workers[w].Start();
        }

        int consumed = 0;
        try
        {
            for (int k = 0; k < count; k++)
            {
                // Rethrows a worker's exception (a DataLoaderException) with its original type.
                var batch = results[k].Task.GetAwaiter().GetResult();
                consumed = k + 1;
                slots.Release();
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var worker in workers) worker.Join();
            // Batches prepared ahead that the consumer never took still hold native memory.
            for (int k = consumed; k < count; k++)
                if (results[k].Task.IsCompletedSuccessfully) results[k].Task.Result.Dispose();
        }
    }

    /// <summary>Fetches and collates one batch; temporaries die with the scope, the batch is detached from every scope.</summary>
    private Batch MakeBatch(int batchIndex, int[] indices)
    {
        using var scope = NewDisposeScope();
        Batch batch;
        if (gatherable is not null)
        {
            try { batch = gatherable.Gather(indices); }
            catch (Exception e) { throw new DataLoaderException(batchIndex, indices, null, e); }
        }
        else
        {
            var items = new TItem[indices.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                try { items[i] = Dataset[indices[i]]; }
                catch (Exception e) { throw new DataLoaderException(batchIndex, indices, indices[i], e); }
            }
            try { batch = collate!(items); }
            catch (Exception e) { throw new DataLoaderException(batchIndex, indices, null, e); }
            if (batch is null)
                throw new DataLoaderException(batchIndex, indices, null, new InvalidOperationException("The collate function returned null."));
        }
        batch.Xb.DetachFromDisposeScope();
        batch.Yb.DetachFromDisposeScope();
        return batch;
    }
}
