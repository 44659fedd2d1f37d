using System.Globalization;
using CsvHelper;

namespace FocusLab.Lab.Reports;

/// <summary>
/// The one way a FocusLab table becomes CSV, and is read back. A table is a sequence of rows of a
/// <c>[CsvRecord]</c> record type: each public property is a column, named by its <c>[CsvColumn("...")]</c>
/// attribute, in declaration order. The conventions of every file live here and in the record types'
/// attributes, never in a study:
/// <list type="bullet">
/// <item>RFC 4180 through CsvHelper: a field is quoted only when it holds a comma, a quote, CR or LF; lines end in "\n"; UTF-8 without BOM.</item>
/// <item>Numbers in the invariant culture whatever the machine's culture; a double or float without a format
/// is its shortest round-trip text ("R"), so NaN, Infinity and -Infinity are written as such and 1E-09 keeps its exponent.</item>
/// <item>Booleans are True/False unless the record type says otherwise with
/// <c>[CsvOptions(TrueValues = ["true"], FalseValues = ["false"])]</c>; a null value is an empty field.</item>
/// <item>Other per-column formats (fixed decimals, blank for non-finite, lists) are the converters of <see cref="CsvFormats"/>.</item>
/// </list>
/// A few tables have columns whose names or number depend on the run (one pair per optimizer, the phase
/// axis' name): <see cref="CsvExtraColumns{TRow}"/> appends them after the record's own columns (their values
/// live in a non-positional <c>[CsvIgnore]</c> property of the row, which CsvHelper leaves alone), and
/// <c>rename</c> replaces a column name in the header. A row type must be a <c>partial</c> record marked
/// <c>[CsvRecord]</c> in FocusLab.Lab: CsvHelper's source generator writes its column writer at compile time.
/// </summary>
public static class CsvTable
{
    /// <summary>Writes the table to <paramref name="path"/> atomically (through a temporary file in the same folder).</summary>
    /// <param name="path">The CSV file to create or replace.</param>
    /// <param name="rows">The rows, enumerated once.</param>
    /// <param name="extra">Columns appended after the record's own, or null for none.</param>
    /// <param name="rename">Header names to replace (record column name → name written), or null.</param>
    public static void Write<TRow>(string path, IEnumerable<TRow> rows, CsvExtraColumns<TRow>? extra = null, IReadOnlyDictionary<string, string>? rename = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = CsvWriter.Create(stream, Options<TRow>(), leaveOpen: true);
            WriteTo(writer, rows, extra, rename);
        });
    }

    /// <summary>The table as CSV text, exactly the bytes <see cref="Write{TRow}"/> would put in a file (as UTF-16).</summary>
    public static string ToText<TRow>(IEnumerable<TRow> rows, CsvExtraColumns<TRow>? extra = null, IReadOnlyDictionary<string, string>? rename = null)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = CsvWriter.Create(text, Options<TRow>(), leaveOpen: true)) WriteTo(writer, rows, extra, rename);
        return text.ToString();
    }

    /// <summary>
    /// A table of cells that are already text (a terminal table, say), header first, with the same quoting
    /// and line ends as every other table.
    /// </summary>
    public static string ToText(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = CsvWriter.Create(text, Text, leaveOpen: true))
        {
            foreach (var name in header) writer.WriteField(name);
            writer.EndRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row) writer.WriteField(cell);
                writer.EndRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>Reads CSV text: the header and every record, as strings (quotes removed, doubled quotes undone).</summary>
    public static CsvText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = CsvReader.FromText(text);
        return ReadAll(reader);
    }

    /// <summary>Reads a CSV file: the header and every record, as strings.</summary>
    public static CsvText Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No CSV file {path}; check the path (a study writes its tables into its --out folder).", path);
        using var reader = CsvReader.FromFile(path);
        return ReadAll(reader);
    }

    /// <summary>The column names of <typeparamref name="TRow"/>, as its header writes them.</summary>
    public static IReadOnlyList<string> ColumnNames<TRow>() => Columns<TRow>.Names;

    private static CsvText ReadAll(CsvReader reader)
    {
        var header = reader.Headers.ToArray();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.GetString(i);
            rows.Add(row);
        }
        return new CsvText(header, rows);
    }

    private static void WriteTo<TRow>(CsvWriter writer, IEnumerable<TRow> rows, CsvExtraColumns<TRow>? extra, IReadOnlyDictionary<string, string>? rename)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var record = CsvRecordWriter.Create<TRow>();
        if (rename is null) record.WriteHeader(writer);
        else
        {
            foreach (var unknown in rename.Keys.Except(Columns<TRow>.Names))
                throw new ArgumentException($"{typeof(TRow).Name} has no column '{unknown}' to rename; its columns are {string.Join(", ", Columns<TRow>.Names)}.");
            foreach (var name in Columns<TRow>.Names) writer.WriteField(rename.GetValueOrDefault(name, name));
        }
        if (extra is not null) foreach (var name in extra.Names) writer.WriteField(name);
        writer.EndRecord();
        foreach (var row in rows)
        {
            record.Write(writer, row ?? throw new ArgumentException($"A row of the {typeof(TRow).Name} table is null."));
            if (extra is not null)
            {
                var values = extra.Values(row);
                if (values.Count != extra.Names.Count)
                    throw new ArgumentException($"A {typeof(TRow).Name} row has {values.Count} extra values for {extra.Names.Count} extra columns ({string.Join(", ", extra.Names)}).");
                foreach (double v in values) extra.Format.Write(writer, v);
            }
            writer.EndRecord();
        }
    }

    /// <summary>The project's conventions on top of the record type's own <c>[CsvOptions]</c> (its boolean spelling).</summary>
    private static CsvWriterOptions Options<TRow>() => Columns<TRow>.Options;

    // Text tables may be ragged (a row shorter than the header), as a terminal table can be.
    private static readonly CsvWriterOptions Text = CsvWriterOptions.Default with { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture, ValidateFieldCount = false };

    /// <summary>Per row type, computed once: its writer options and its column names.</summary>
    private static class Columns<TRow>
    {
        public static readonly CsvWriterOptions Options = CsvWriterOptions.For<TRow>() with { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture };

        // The names exactly as the generated record writer spells them: its header, read back.
        public static readonly string[] Names = ReadNames();

        private static string[] ReadNames()
        {
            var text = new StringWriter(CultureInfo.InvariantCulture);
            using (var writer = CsvWriter.Create(text, Options, leaveOpen: true))
            {
                CsvRecordWriter.Create<TRow>().WriteHeader(writer);
                writer.EndRecord();
            }
            return Parse(text.ToString()).Header;
        }
    }
}

/// <summary>A CSV table read back as text: the header's names and each record's fields.</summary>
/// <param name="Header">The column names, in file order.</param>
/// <param name="Rows">The records after the header, each its fields in file order.</param>
public sealed record CsvText(string[] Header, IReadOnlyList<string[]> Rows);

/// <summary>
/// Number columns that follow a row's own columns when their count or names depend on the run, such as
/// one best-lr column per optimizer. <see cref="Values"/> gives, for each row, one number per name, written
/// with <see cref="Format"/>.
/// </summary>
/// <param name="Names">The header names of the extra columns.</param>
/// <param name="Values">The row's values, one per name, in the same order.</param>
/// <param name="Format">How a value is written (a converter of <see cref="CsvFormats"/>).</param>
public sealed record CsvExtraColumns<TRow>(IReadOnlyList<string> Names, Func<TRow, IReadOnlyList<double>> Values, ICsvConverter<double> Format);
