namespace FocusLab.Cli.Tests;

public class ClaimsCommandTests
{
    [Fact]
    public void Claims_writes_the_ledger_of_a_folder_of_study_outputs()
    {
        string runs = Directory.CreateTempSubdirectory("focuslab-claims-cli").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(runs, "sweep"));
            File.WriteAllText(Path.Combine(runs, "sweep", "claims.json"), """
                {"study":"batch-sweep","claims":[{"id":"focus.fig2cd.signum","paper":"FOCUS","claim":"signum beats adamw at small batches",
                 "paper_protocol":"MNIST","protocol":"Fashion-MNIST","deviations":["Fashion-MNIST"],"command":"focuslab batch-sweep --out x",
                 "numbers":"I(2) = +0.01 ± 0.02","seeds":3,"verdict":"not reproduced","reason":"within the spread"}]}
                """);
            string md = Path.Combine(runs, "claims.md");
            var (code, stdout, err) = CliRunner.Run("claims", "--runs", runs, "--out", md);
            Assert.True(code == 0, err);
            Assert.Contains("1 claims", stdout);
            string text = File.ReadAllText(md);
            Assert.Contains("| signum beats adamw at small batches (FOCUS) | MNIST | Fashion-MNIST<br>deviations: Fashion-MNIST | `focuslab batch-sweep --out x` | I(2) = +0.01 ± 0.02 (3 seeds) | **not reproduced**: within the spread |", text);
        }
        finally { Directory.Delete(runs, true); }
    }
}
