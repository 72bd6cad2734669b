using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace Trainwright.Data.Tables;

/// <summary>
/// Reads a Parquet file through Parquet.Net into the same columns as a CSV: numbers (any numeric or boolean type) as
/// numbers, dates as dates, strings through the same text rules (NA tokens, canonical spellings), one row group at a time.
/// </summary>
internal static class ParquetTableReader
{
    public static bool IsParquet(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length < 12) return false;
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        return magic.SequenceEqual("PAR1"u8);
    }

    public static Table Read(string path, TableReadOptions options)
    {
        string source = Path.GetFileName(path);
        try
        {
            return ReadAsync(path, source, options).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not TabularDataException and not OutOfMemoryException)
        {
            throw new TabularDataException($"{source}: cannot be read as Parquet: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
    }

    private static async Task<Table> ReadAsync(string path, string source, TableReadOptions options)
    {
        var na = new NaTokens(options.NaTokens);
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length == 0) throw new TabularDataException($"{source}: the Parquet file has no columns.");
        Table.CheckNames(source, [.. fields.Select(f => f.Name)]);
        foreach (var f in fields)
            if (f.IsArray || !IsSupported(f.ClrType))
                throw new TabularDataException($"{source}: column '{f.Name}' holds {(f.IsArray ? "lists" : f.ClrType.Name)}, which a table cannot use; drop it from the file or convert it to numbers or text.");
        var builders = fields.Select(f => new ColumnBuilder(f.Name)).ToArray();
        long rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            rows += n;
            for (int c = 0; c < fields.Length; c++)
                await ReadColumn(group, fields[c], n, builders[c], na).ConfigureAwait(false);
        }
        if (rows == 0) throw new TabularDataException($"{source}: the file has columns ({string.Join(", ", fields.Take(8).Select(f => f.Name))}) but no data rows.");
        return new Table(source, [.. builders.Select(b => b.Build())], checked((int)rows), null);
    }

    private static bool IsSupported(Type t) =>
        IsText(t) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly) || t == typeof(bool)
        || t == typeof(double) || t == typeof(float) || t == typeof(decimal) || t == typeof(long) || t == typeof(int)
        || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong);

    // Parquet.Net 6 reports UTF-8 string columns as ReadOnlyMemory<char>; both read as strings.
    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static async Task ReadColumn(ParquetRowGroupReader group, DataField field, int n, ColumnBuilder builder, NaTokens na)
    {
        var t = field.ClrType;
        if (IsText(t))
        {
            var values = new string?[n];
            await group.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
            foreach (var v in values)
            {
                var span = v.AsSpan().Trim();
                if (v is null || na.IsMissing(span)) builder.AddMissing(); else builder.Add(span);
            }
        }
        else if (t == typeof(DateTime)) await Read<DateTime>(group, field, n, v => builder.AddDate(v.ToUniversalTime()), builder).ConfigureAwait(false);
        else if (t == typeof(DateTimeOffset)) await Read<DateTimeOffset>(group, field, n, v => builder.AddDate(v.UtcDateTime), builder).ConfigureAwait(false);
        else if (t == typeof(DateOnly)) await Read<DateOnly>(group, field, n, v => builder.AddDate(v.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), builder).ConfigureAwait(false);
        else if (t == typeof(bool)) await Read<bool>(group, field, n, v => builder.AddNumber(v ? 1 : 0), builder).ConfigureAwait(false);
        else if (t == typeof(double)) await Number<double>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(float)) await Number<float>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(decimal)) await Number<decimal>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(long)) await Number<long>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(int)) await Number<int>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(short)) await Number<short>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(sbyte)) await Number<sbyte>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(byte)) await Number<byte>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(ushort)) await Number<ushort>(group, field, n, builder).ConfigureAwait(false);
        else if (t == typeof(uint)) await Number<uint>(group, field, n, builder).ConfigureAwait(false);
        else await Number<ulong>(group, field, n, builder).ConfigureAwait(false);
    }

    private static Task Number<T>(ParquetRowGroupReader group, DataField field, int n, ColumnBuilder builder)
        where T : struct, INumberBase<T> =>
        Read<T>(group, field, n, v => builder.AddNumber(double.CreateTruncating(v)), builder);

    private static async Task Read<T>(ParquetRowGroupReader group, DataField field, int n, Action<T> add, ColumnBuilder builder)
        where T : struct
    {
        if (field.IsNullable)
        {
            var values = new T?[n];
            await group.ReadAsync<T>(field, values.AsMemory()).ConfigureAwait(false);
            foreach (var v in values)
                if (v is { } value) add(value); else builder.AddMissing();
        }
        else
        {
            var values = new T[n];
            await group.ReadAsync<T>(field, values.AsMemory()).ConfigureAwait(false);
            foreach (var v in values) add(v);
        }
    }
}
