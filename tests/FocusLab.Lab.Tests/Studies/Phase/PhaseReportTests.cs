using System.Xml.Linq;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Phase;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Studies.Phase;

public sealed class PhaseReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-report-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesTensorsCsvAndWellFormedSvgs()
    {
        var grid = PhasePresets.Build("quick", PhaseAxis.WeightDecay, ValleyKind.Valley2D) with
        {
            XValues = SweepGrid.Linspace(0, 0.5, 3), SigmaValues = SweepGrid.Linspace(0, 3, 4), LearningRates = [0.003, 0.03], Replicates = 2, Steps = 50,
        };
        var r = SweepEngine.Run(grid);
        var s = new PhaseScores(r);
        var files = PhaseReport.Write(_dir, r, s, 1.5);
        var (fin, shape) = NpyFile.Read<float>(Path.Combine(_dir, "final_loss.npy"));
        Assert.Equal([3L, 2, 4, 3, 2], shape);
        Assert.Equal(r.FinalLoss, fin);
        Assert.Equal(s.Winner, NpyFile.Read<int>(Path.Combine(_dir, "winner.npy")).Data);
        var csv = File.ReadAllLines(Path.Combine(_dir, "winners.csv"));
        Assert.Equal("sigma_index,x_index,sigma,weight_decay,winner,best_loss_adam,best_lr_adam,best_loss_signum,best_lr_signum,best_loss_focus,best_lr_focus", csv[0]);
        Assert.Equal(1 + 4 * 3, csv.Length);
        Assert.Equal(s.WinnerId(2, 1), csv[1 + 2 * 3 + 1].Split(',')[4]);
        foreach (var svg in files.Where(f => f.EndsWith(".svg")))
            Assert.Equal("svg", XDocument.Load(Path.Combine(_dir, svg)).Root!.Name.LocalName); // parses as XML
        Assert.Contains("min_loss_winner_map.svg", files);
        string html = File.ReadAllText(Path.Combine(_dir, "index.html"));
        Assert.Contains("<img src=\"winner_map.svg\"", html);
    }
}
