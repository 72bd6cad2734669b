using System.Collections;
using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Support;

/// <summary>A sequential loader over two tensors, for tests that must not depend on the Data folder's loaders.</summary>
internal sealed class InMemoryLoader(Tensor x, Tensor y, int batchSize) : IDataLoader
{
    public int ItemCount => (int)x.shape[0];
    public int BatchCount => (ItemCount + batchSize - 1) / batchSize;
    public int BatchSize => batchSize;
    public int Epoch { get; set; }

    public IEnumerator<Batch> GetEnumerator()
    {
        for (int start = 0; start < ItemCount; start += batchSize)
        {
            int n = Math.Min(batchSize, ItemCount - start);
            yield return new Batch(x.narrow(0, start, n).clone(), y.narrow(0, start, n).clone()).Detach();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
