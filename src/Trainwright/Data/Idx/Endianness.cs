using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Trainwright.Data;

/// <summary>In-place byte-order swaps for buffers of 2-, 4- or 8-byte elements (IDX stores big-endian).</summary>
internal static class Endianness
{
    public static void Swap(Span<byte> bytes, int elementSize)
    {
        switch (elementSize)
        {
            case 1: break;
            case 2: var s = MemoryMarshal.Cast<byte, short>(bytes); BinaryPrimitives.ReverseEndianness(s, s); break;
            case 4: var i = MemoryMarshal.Cast<byte, int>(bytes); BinaryPrimitives.ReverseEndianness(i, i); break;
            case 8: var l = MemoryMarshal.Cast<byte, long>(bytes); BinaryPrimitives.ReverseEndianness(l, l); break;
            default: throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Element size must be 1, 2, 4 or 8 bytes.");
        }
    }
}
