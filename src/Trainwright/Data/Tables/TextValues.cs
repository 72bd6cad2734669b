using System.Globalization;

namespace Trainwright.Data.Tables;

/// <summary>
/// How cell text is read: numbers are culture-invariant, dates are ISO, and text that reads as a number or a date is
/// stored in one canonical spelling, so "1.50" and "1.5" are one category at training and at prediction alike.
/// </summary>
internal static class TextValues
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyy/MM/dd",
    ];

    /// <summary>A finite, culture-invariant number (e.g. <c>-1.5e3</c>; no thousands separators).</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value) =>
        PlainDecimal.TryParse(text, out value)
        || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value));

    /// <summary>An ISO date or date-time; a time zone, if given, is converted to UTC.</summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        // Cheap guard first: every accepted format starts with four digits and a separator.
        if (text.Length < 10 || text.Length > 40 || !char.IsAsciiDigit(text[0]) || (text[4] != '-' && text[4] != '/')) return false;
        return DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>The one spelling of a number used as a category.</summary>
    public static string NumberText(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The one spelling of a date used as a category.</summary>
    public static string DateText(DateTime value) =>
        value.TimeOfDay == TimeSpan.Zero
            ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>The canonical spelling of a present cell: numbers and dates respelled, anything else as it is.</summary>
    public static string Canonical(ReadOnlySpan<char> text) =>
        TryParseNumber(text, out double d) ? NumberText(d)
        : TryParseDate(text, out var t) ? DateText(t)
        : text.ToString();
}
