using System.Text.Json;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Studies.Phase;

/// <summary>
/// Writes every output of a complete phase sweep into a folder: the full result tensors (.npy), the
/// per-pixel scores, winners (CSV), the SVG figures (winner map with σc(a), pairwise maps, best-lr
/// maps, σc curve, and for the weight-decay sweep the min-loss and max-u maps), summary.json and index.html.
/// </summary>
public static class PhaseReport
{
    public static IReadOnlyList<string> Write(string dir, SweepResult r, PhaseScores s, double wallSeconds)
    {
        Directory.CreateDirectory(dir);
        var g = r.Grid;
        var written = new List<string>();
        string P(string name) { written.Add(name); return Path.Combine(dir, name); }
        long nO = g.NOpt, nL = g.NLr, nY = g.NY, nX = g.NX, nR = g.Replicates;

        NpyFile.Write(P("final_loss.npy"), r.FinalLoss, nO, nL, nY, nX, nR);
        NpyFile.Write(P("min_loss.npy"), r.MinLoss, nO, nL, nY, nX, nR);
        NpyFile.Write(P("max_u.npy"), r.MaxU, nO, nL, nY, nX, nR);
        NpyFile.Write(P("score.npy"), s.Score, nO, nL, nY, nX);
        NpyFile.Write(P("best_score.npy"), s.Best, nO, nY, nX);
        NpyFile.Write(P("best_lr.npy"), s.BestLrIndex.Select(l => l < 0 ? double.NaN : g.LearningRates[l]).ToArray(), nO, nY, nX);
        NpyFile.Write(P("winner.npy"), s.Winner, nY, nX);
        NpyFile.Write(P("x_values.npy"), g.XValues, nX);
        NpyFile.Write(P("sigma_values.npy"), g.SigmaValues, nY);
        NpyFile.Write(P("learning_rates.npy"), g.LearningRates, nL);

        AtomicFile.WriteText(P("winners.csv"), WinnersCsv(s));
        AtomicFile.WriteText(P("sigma_c.csv"), SigmaCCsv(s));

        var figures = new List<(string File, string Caption)>();
        void Fig(string name, string caption, Figure figure) { figure.Save(P(name)); figures.Add((name, caption)); }
        Fig("winner_map.svg", "Best optimizer per pixel (mean final loss over replicates, minimised over learning rates).", PhaseFigures.WinnerMap(s).ToFigure());
        for (int i = 0; i < g.NOpt; i++)
            for (int j = i + 1; j < g.NOpt; j++)
                Fig($"pairwise_{g.Optimizers[i].Slug}_vs_{g.Optimizers[j].Slug}.svg", $"{g.Optimizers[i].Id} against {g.Optimizers[j].Id}.", PhaseFigures.Pairwise(s, i, j).ToFigure());
        for (int o = 0; o < g.NOpt; o++)
            Fig($"best_lr_{g.Optimizers[o].Slug}.svg", $"Best learning rate of {g.Optimizers[o].Id} per pixel.", PhaseFigures.BestLr(s, o).ToFigure());
        Fig("sigma_c.svg", "Critical noise σc where signum overtakes adam.", PhaseFigures.SigmaCCurve(s).ToFigure());
        if (g.Vary == PhaseAxis.WeightDecay)
        {
            Fig("min_loss_winner_map.svg", "Best optimizer by the minimum loss along the run.", PhaseFigures.WinnerBy(s, s.BestMinLoss, lowerIsBetter: true, "minimum loss along the run").ToFigure());
            Fig("max_u_winner_map.svg", "Best optimizer by the furthest progress along the valley (max u).", PhaseFigures.WinnerBy(s, s.BestMaxU, lowerIsBetter: false, "furthest progress max u").ToFigure());
        }

        var summary = PhaseSummary.Build(s, wallSeconds);
        AtomicFile.WriteText(P("summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteText(P("index.html"), HtmlIndex.Build(s, wallSeconds, figures));
        return written;
    }

    /// <summary>winners.csv: one row per pixel (<see cref="PhaseWinnerRow"/>), the x column named after the swept axis.</summary>
    public static string WinnersCsv(PhaseScores s) =>
        CsvTable.ToText(PhaseWinnerRow.Of(s), PhaseWinnerRow.OptimizerColumns(s.Grid), new Dictionary<string, string> { ["x"] = s.Grid.XName });

    /// <summary>sigma_c.csv: σc per x value (<see cref="SigmaCRow"/>), the x column named after the swept axis.</summary>
    public static string SigmaCCsv(PhaseScores s) =>
        CsvTable.ToText(SigmaCRow.Of(s), rename: new Dictionary<string, string> { ["x"] = s.Grid.XName });
}
