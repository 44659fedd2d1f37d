using CsvHelper;

namespace FocusLab.Lab.Reports;

/// <summary>
/// The per-column number formats of FocusLab's tables, as CsvHelper converters: put one on a record's
/// property with <c>[property: CsvConverter(typeof(CsvFormats.FixedTwo))]</c>. Every format is written in the
/// invariant culture (the writer's format provider, <see cref="CsvTable"/>). Reading parses the text back where that
/// is meaningful.
/// </summary>
internal static class CsvFormats
{
    /// <summary>The shortest round-trip number ("R"), the default of a double column, for <see cref="CsvExtraColumns{TRow}"/>.</summary>
    internal sealed class RoundTrip : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) => reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value) => writer.WriteField(value, "");
    }

    /// <summary>Two fixed decimals ("F2"): wall-clock seconds.</summary>
    internal sealed class FixedTwo : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) => reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value) => writer.WriteField(value, "F2");
    }

    /// <summary>No decimals ("F0"): rates such as tokens per second.</summary>
    internal sealed class Whole : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) => reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value) => writer.WriteField(value, "F0");
    }

    /// <summary>The round-trip number when finite, an empty field otherwise (a mean over no seeds, a diverged curve).</summary>
    internal sealed class BlankUnlessFinite : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) => reader.IsEmpty(index) ? double.NaN : reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value)
        {
            if (double.IsFinite(value)) writer.WriteField(value, "");
            else writer.WriteField("");
        }
    }

    /// <summary>
    /// The phase diagram's scores: "inf" for +∞ (a diverged run's loss), an empty field for NaN (nothing
    /// measured), the round-trip number otherwise.
    /// </summary>
    internal sealed class InfOrBlank : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) =>
            reader.IsEmpty(index) ? double.NaN : reader.GetString(index) == "inf" ? double.PositiveInfinity : reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value)
        {
            if (double.IsPositiveInfinity(value)) writer.WriteField("inf");
            else if (double.IsNaN(value)) writer.WriteField("");
            else writer.WriteField(value, "");
        }
    }

    /// <summary><see cref="InfOrBlank"/> for an optional value: null is an empty field too.</summary>
    internal sealed class OptionalInfOrBlank : ICsvConverter<double?>
    {
        private static readonly InfOrBlank Number = new();
        /// <inheritdoc/>
        public double? Read(CsvReader reader, int index) => reader.IsEmpty(index) ? null : Number.Read(reader, index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double? value)
        {
            if (value is { } v) Number.Write(writer, v);
            else writer.WriteField("");
        }
    }

    /// <summary>A training run's final loss: the round-trip number, or "diverged" when it is not finite (the run diverged).</summary>
    internal sealed class DivergedOrLoss : ICsvConverter<double>
    {
        /// <inheritdoc/>
        public double Read(CsvReader reader, int index) => reader.GetString(index) == "diverged" ? double.NaN : reader.Parse<double>(index);
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double value)
        {
            if (double.IsFinite(value)) writer.WriteField(value, "");
            else writer.WriteField("diverged");
        }
    }

    /// <summary>A list of numbers in one field, ';'-separated round-trip numbers (a line search's steps and losses).</summary>
    internal sealed class SemicolonList : ICsvConverter<double[]>
    {
        /// <inheritdoc/>
        public double[] Read(CsvReader reader, int index) =>
            reader.IsEmpty(index) ? [] : reader.GetString(index).Split(';').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        /// <inheritdoc/>
        public void Write(CsvWriter writer, double[] value) =>
            writer.WriteField(string.Join(';', value.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
    }
}
