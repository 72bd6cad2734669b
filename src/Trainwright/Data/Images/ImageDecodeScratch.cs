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
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
                throw new ImageDataException($"Image '{path}' is {length:N0} bytes, too large to decode; shrink it or remove it.", path);
            if (length > file.Length) file = new byte[Math.Max(length, 2L * file.Length)];
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(handle, file.AsSpan(read, (int)length - read), read);
                if (n == 0) break; // the file shrank while being read: decode what is there, which reports a truncation
                read += n;
            }
            return file.AsSpan(0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDataException($"Cannot read image '{path}': {e.Message} Check the file's permissions, or remove it.", path, e);
        }
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
