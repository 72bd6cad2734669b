namespace Trainwright.Data;

/// <summary>
/// The element types an IDX file can hold; each value is the type code stored in the third byte of the file's magic number.
/// </summary>
public enum IdxElementType : byte
{
    /// <summary>Unsigned 8-bit integer (<see cref="byte"/>), type code 0x08.</summary>
    UByte = 0x08,

    /// <summary>Signed 8-bit integer (<see cref="sbyte"/>), type code 0x09.</summary>
    SByte = 0x09,

    /// <summary>Signed 16-bit big-endian integer (<see cref="short"/>), type code 0x0B.</summary>
    Short = 0x0B,

    /// <summary>Signed 32-bit big-endian integer (<see cref="int"/>), type code 0x0C.</summary>
    Int = 0x0C,

    /// <summary>32-bit big-endian IEEE float (<see cref="float"/>), type code 0x0D.</summary>
    Float = 0x0D,

    /// <summary>64-bit big-endian IEEE float (<see cref="double"/>), type code 0x0E.</summary>
    Double = 0x0E,
}

/// <summary>Facts about <see cref="IdxElementType"/> values.</summary>
public static class IdxElementTypes
{
    /// <summary>Whether <paramref name="code"/> is a type code the IDX format defines.</summary>
    public static bool IsDefined(byte code) => code is 0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E;

    /// <summary>Bytes one element of <paramref name="type"/> takes in the file.</summary>
    public static int SizeOf(IdxElementType type) => type switch
    {
        IdxElementType.UByte or IdxElementType.SByte => 1,
        IdxElementType.Short => 2,
        IdxElementType.Int or IdxElementType.Float => 4,
        IdxElementType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an IDX element type."),
    };

    /// <summary>The .NET element type that holds values of <paramref name="type"/>.</summary>
    public static Type ClrType(IdxElementType type) => type switch
    {
        IdxElementType.UByte => typeof(byte),
        IdxElementType.SByte => typeof(sbyte),
        IdxElementType.Short => typeof(short),
        IdxElementType.Int => typeof(int),
        IdxElementType.Float => typeof(float),
        IdxElementType.Double => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an IDX element type."),
    };

    /// <summary>The IDX element type for a .NET array element type, or an error naming the supported ones.</summary>
    public static IdxElementType FromClrType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(byte)) return IdxElementType.UByte;
        if (type == typeof(sbyte)) return IdxElementType.SByte;
        if (type == typeof(short)) return IdxElementType.Short;
        if (type == typeof(int)) return IdxElementType.Int;
        if (type == typeof(float)) return IdxElementType.Float;
        if (type == typeof(double)) return IdxElementType.Double;
        throw new ArgumentException(
            $"IDX cannot store elements of type {type.Name}; use byte, sbyte, short, int, float or double.", nameof(type));
    }
}
