using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace FocusLab.Cli.Terminal;

/// <summary>How a command prints a table: <c>--format table|csv|json</c>.</summary>
internal enum TableFormat { Table, Csv, Json }

/// <summary>
/// Prints a table of text cells without ever breaking a cell across lines: a boxed table on a
/// terminal wide enough for it, plain aligned columns when stdout is a pipe or a file or the terminal
/// is too narrow, or CSV / JSON on request (<see cref="FormatOption"/>).
/// </summary>
internal static class Tabular
{
    /// <summary>The <c>--format</c> option shared by every command that prints a table.</summary>
    public static System.CommandLine.Option<string> FormatOption()
    {
        var o = new System.CommandLine.Option<string>("--format")
        {
            Description = "How tables are printed: table (boxed on a wide terminal, plain aligned columns in a pipe or a narrow terminal), csv or json.",
            DefaultValueFactory = _ => "table",
        };
        o.AcceptOnlyFromAmong("table", "csv", "json");
        return o;
    }

    public static TableFormat Parse(string? text) => text switch
    {
        "csv" => TableFormat.Csv,
        "json" => TableFormat.Json,
        _ => TableFormat.Table,
    };

    /// <summary>Writes the table to stdout in <paramref name="format"/>.</summary>
    public static void Write(TableFormat format, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, TextWriter? output = null)
    {
        var body = rows.ToList();
        var to = output ?? Console.Out;
        switch (format)
        {
            case TableFormat.Csv:
                to.Write(FocusLab.Lab.Reports.CsvTable.ToText(header, body));
                return;
            case TableFormat.Json:
                var array = new JsonArray();
                foreach (var r in body)
                {
                    var obj = new JsonObject();
                    for (int i = 0; i < header.Count; i++) obj[header[i]] = i < r.Count ? r[i] : null;
                    array.Add(obj);
                }
                to.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return;
        }
        var widths = Enumerable.Range(0, header.Count).Select(i => body.Select(r => i < r.Count ? r[i].Length : 0).Append(header[i].Length).Max()).ToArray();
        // A boxed table adds 3 characters per column and 1 for the left border.
        int boxed = widths.Sum() + 3 * widths.Length + 1;
        if (output is null && !Console.IsOutputRedirected && boxed <= TerminalWidth())
        {
            var table = new Table();
            foreach (var h in header) table.AddColumn(new TableColumn(Markup.Escape(h)).NoWrap());
            foreach (var r in body) table.AddRow(r.Select(c => Markup.Escape(c)).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        to.WriteLine(Plain(header, widths));
        to.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in body) to.WriteLine(Plain(r, widths));
    }

    private static string Plain(IReadOnlyList<string> cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < widths.Length; i++)
        {
            string c = i < cells.Count ? cells[i] : "";
            if (i > 0) sb.Append("  ");
            sb.Append(i == widths.Length - 1 ? c : c.PadRight(widths[i]));
        }
        return sb.ToString().TrimEnd();
    }

    private static int TerminalWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 80; }
        catch (IOException) { return 80; }
    }
}
