using System.Numerics;

namespace Trainwright.Data.Tables;

/// <summary>
/// Counts the distinct 64-bit keys of a column up to a cap (then stops adding and reports cap + 1): an open-addressing
/// table of at most a quarter load, so a column of a few repeated integers costs one multiply and one probe per value.
/// </summary>
internal sealed class DistinctCounter
{
    // No stored key takes this value (it is the bits of −0.0, which callers fold to +0, and not a date's ticks), but
    // it is counted correctly anyway through its own flag.
    private const long Vacant = long.MinValue;

    private readonly int cap;
    private readonly int shift;
    private readonly long[] slots;
    private bool hasVacantKey;

    public DistinctCounter(int cap)
    {
        this.cap = cap;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)(cap + 1) * 4);
        shift = 64 - BitOperations.Log2((uint)size);
        slots = new long[size];
        slots.AsSpan().Fill(Vacant);
    }

    /// <summary>Distinct keys added, at most cap + 1.</summary>
    public int Count { get; private set; }

    /// <summary>True once more than cap distinct keys were seen: adding does nothing any more.</summary>
    public bool IsFull => Count > cap;

    public void Add(long key)
    {
        if (IsFull) return;
        if (key == Vacant)
        {
            if (!hasVacantKey) { hasVacantKey = true; Count++; }
            return;
        }
        int mask = slots.Length - 1;
        // Fibonacci hashing: the product's top bits mix every bit of the key (doubles differ mostly in their high bits).
        int i = (int)((ulong)key * 0x9E3779B97F4A7C15UL >> shift);
        while (true)
        {
            long k = slots[i];
            if (k == key) return;
            if (k == Vacant)
            {
                slots[i] = key;
                Count++;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    public void Clear()
    {
        slots.AsSpan().Fill(Vacant);
        hasVacantKey = false;
        Count = 0;
    }
}
