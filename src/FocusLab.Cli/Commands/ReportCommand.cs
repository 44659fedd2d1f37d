using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FocusLab.Cli.Conventions;
using FocusLab.Lab.Reports;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab report`: one self-contained HTML page of every study under an output folder, and
/// `--check`, which opens it in headless Chromium, takes a screenshot and confirms every figure rendered.
/// </summary>
internal static class ReportCommand
{
    public const string InstallHint = "install it with `sudo apt-get install chromium`";

    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder holding study outputs (searched recursively).", DefaultValueFactory = _ => "runs" };
        var output = new Option<string?>("--out") { Description = "HTML file to write (default: RUNS/report.html)." };
        var check = new Option<bool>("--check") { Description = "Open the page in headless Chromium, save a screenshot beside it and fail unless every figure rendered without script errors." };
        var cmd = new Command("report", "Collect every study under runs/ (phase, valley, training runs, batch sweep, LM race, sharpness, rotation, geometry) into one self-contained HTML page.") { runs, output, check };
        cmd.SetAction(r =>
        {
            string root = r.GetValue(runs)!;
            var scan = StudyReport.Scan(root);
            var sections = scan.Sections;
            foreach (var note in scan.Notes) Console.Error.WriteLine($"focuslab: note: {note}");
            foreach (var problem in scan.Problems) Console.Error.WriteLine($"focuslab: warning: {problem}");
            if (sections.Count == 0)
            {
                Console.Error.WriteLine($"focuslab: error: no studies found under {root}; run one first (e.g. `./focuslab phase`, `./focuslab train …`), or pass --runs DIR.");
                return Failure.BadInput;
            }
            string path = Path.GetFullPath(r.GetValue(output) ?? Path.Combine(root, "report.html"));
            // The claims ledger (`focuslab claims`) closes the page when any study wrote claims.
            var ledger = FocusLab.Lab.Claims.ClaimsLedger.Collect(root);
            string page = StudyReport.Render(sections, "FocusLab studies");
            if (ledger.Count > 0) page = page.Replace("</body>", FocusLab.Lab.Claims.ClaimsLedger.Html(ledger) + "</body>");
            AtomicFile.WriteText(path, page);
            int figures = sections.Sum(s => s.Figures.Count);
            Console.WriteLine($"wrote {path}: {sections.Count} studies, {figures} figures");
            foreach (var s in sections)
                Console.WriteLine($"  {s.Title}: {s.Folder}{(s.Summary is null ? s.Command is null ? "" : $" ({s.Command})" : $" ({s.Summary})")}");
            if (!r.GetValue(check)) return 0;
            if (scan.Problems.Count > 0)
            {
                Console.Error.WriteLine($"focuslab: error: --check failed: {scan.Problems.Count} study file(s) could not be read: {string.Join("; ", scan.Problems)}");
                return Failure.RunFailed;
            }
            return Check(path, figures);
        });
        return cmd;
    }

    /// <summary>Renders the page in headless Chromium; returns 0 when every figure has a non-empty box and no script failed, else names the figures that did not render.</summary>
    private static int Check(string html, int expectedFigures)
    {
        string? chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(FindOnPath).FirstOrDefault(p => p is not null);
        if (chromium is null)
            throw new FileNotFoundException($"Chromium was not found; {InstallHint}, then rerun `focuslab report --check`.");
        string url = new Uri(html).AbsoluteUri;
        string png = Path.ChangeExtension(html, ".png");
        string[] common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", $"--user-data-dir={Directory.CreateTempSubdirectory("focuslab-chromium").FullName}"];
        var (_, dom) = Run(chromium, [.. common, "--virtual-time-budget=5000", "--dump-dom", url]);
        Run(chromium, [.. common, "--window-size=1280,2400", $"--screenshot={png}", url]);
        int Attr(string name) => Regex.Match(dom, $"data-{name}=\"(\\d+)\"") is { Success: true } m ? int.Parse(m.Groups[1].Value) : -1;
        int total = Attr("figures"), rendered = Attr("rendered"), errors = Attr("errors");
        var failed = Regex.Match(dom, "data-failed=\"([^\"]*)\"") is { Success: true } f && f.Groups[1].Value.Length > 0
            ? WebUtility.HtmlDecode(f.Groups[1].Value).Split('|') : [];
        Console.WriteLine($"chromium: {Math.Max(rendered, 0)} of {Math.Max(total, 0)} figures rendered (page has {expectedFigures}), {Math.Max(errors, 0)} script errors; screenshot {png}");
        bool ok = total == expectedFigures && rendered == total && errors == 0 && File.Exists(png);
        if (!ok)
        {
            string which = failed.Length > 0 ? $"not rendered: {string.Join(", ", failed)}"
                : total < 0 ? "the page's check script did not run" : total != expectedFigures ? $"Chromium saw {total} figures, the page has {expectedFigures}" : $"{errors} script error(s)";
            Console.Error.WriteLine($"focuslab: error: --check failed: the report did not render completely in Chromium ({which}).");
        }
        return ok ? 0 : Failure.RunFailed;
    }

    private static (int Code, string Stdout) Run(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new IOException($"{exe} did not finish within 120 s."); }
        return (p.ExitCode, stdout.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
