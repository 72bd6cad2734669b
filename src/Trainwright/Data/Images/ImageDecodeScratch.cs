using System.Runtime.InteropServices;
using SkiaSharp;

namespace Trainwright.Data.Images;

/// <summary>
/// One decode thread's reusable memory: the file buffer, the decoded pixels and the output canvas. Decoding a folder
/// reuses one per thread, so the loop allocates no managed buffers per image (and the GC never pauses the workers).
/// </summary>
internal sealed class ImageDecodeScratch : IDisposable
{
    private IntPtr raw;
    private long rawBytes;
    private byte[] file = new byte[64 * 1024];
    private SKBitmap? target;
    private SKCanvas? canvas;

    /// <param name="width">Width of the output images.</param>
    /// <param name="height">Height of the output images.</param>
    public ImageDecodeScratch(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The output bitmap (RGBA, premultiplied), made on first use.</summary>
    public SKBitmap Target => target ??= new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));

    /// <summary>A canvas drawing into <see cref="Target"/>.</summary>
    public SKCanvas Canvas => canvas ??= new SKCanvas(Target);

    /// <summary>Native memory of at least <paramref name="bytes"/> bytes, valid until the next call.</summary>
    public unsafe IntPtr Raw(long bytes)
    {
        if (bytes > rawBytes)
        {
            NativeMemory.Free((void*)raw);
            raw = IntPtr.Zero;
            raw = (IntPtr)NativeMemory.Alloc((nuint)bytes);
            rawBytes = bytes;
        }
        return raw;
    }

    /// <summary>Reads the file at <paramref name="path"/> into the reused buffer; the span is valid until the next call.</summary>
    /// <exception cref="ImageDataException">The file cannot be read.</exception>
    public ReadOnlySpan<byte> ReadFile(string path)
    {
        int length = FileBytes.Read(path, ref file, Array.MaxLength);
        if (length < 0)
            throw new ImageDataException($"Image '{path}' is more than {Array.MaxLength:N0} bytes, too large to decode; shrink it or remove it.", path);
        return file.AsSpan(0, length);
    }

    /// <summary>The whole file at <paramref name="path"/> when it is at most <paramref name="limit"/> bytes (or fits
    /// the buffer), else an empty span and false; valid until the next call.</summary>
    /// <exception cref="ImageDataException">The file cannot be read.</exception>
    public bool TryReadSmallFile(string path, int limit, out ReadOnlySpan<byte> data)
    {
        int length = FileBytes.Read(path, ref file, limit);
        data = length < 0 ? default : file.AsSpan(0, length);
        return length >= 0;
    }

    public unsafe void Dispose()
    {
        canvas?.Dispose();
        target?.Dispose();
        NativeMemory.Free((void*)raw);
        raw = IntPtr.Zero;
        rawBytes = 0;
    }
}
