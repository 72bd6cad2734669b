namespace Trainwright.Data.Tables;

/// <summary>
/// The common spelling of a number in a CSV file — an optional sign, digits and at most one decimal point, no exponent
/// (<c>-12.375</c>, <c>7</c>, <c>.5</c>) — read without the general parser. When the digits fit in 2^53 and there are at
/// most 22 after the point, both the integer of all digits and the power of ten are exact doubles, so their quotient
/// is the correctly rounded value, the one <see cref="double.TryParse(ReadOnlySpan{char}, System.Globalization.NumberStyles, IFormatProvider, out double)"/>
/// returns (Clinger's fast path). Anything else is left to that general parser.
/// </summary>
internal static class PlainDecimal
{
    private const ulong MaxExact = 1UL << 53;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>Reads <paramref name="text"/> when it has the plain form and its value is exact this way; false otherwise (not: not a number).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }
        ulong digits = 0;
        int count = 0, point = -1;
        for (; i < text.Length; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                // Twenty digits could overflow; so many are rare enough to leave to the general parser.
                if (++count > 19) return false;
                digits = digits * 10 + d;
            }
            else if (text[i] == '.' && point < 0) point = i;
            else return false;
        }
        int decimals = point < 0 ? 0 : text.Length - point - 1;
        if (count == 0 || digits > MaxExact || decimals >= PowersOfTen.Length) return false;
        double magnitude = (double)digits / PowersOfTen[decimals];
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
