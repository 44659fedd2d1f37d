using FocusLab.Lab.Claims;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Claims;

/// <summary>
/// The phase diagram's verdicts, judged on sweeps with planted losses: each optimizer's final loss is a
/// known function of (σ, x), so the critical noise, its trend and focus's edge are known in advance.
/// </summary>
public class PhaseClaimsTests
{
    private const int NX = 9, NY = 12;

    /// <summary>
    /// A complete one-replicate sweep over the quick preset's optimizers (adam, signum, focus) whose final loss is
    /// <paramref name="loss"/>(optimizer id, σ, x index); every lr scores the same, so the best lr is the first.
    /// </summary>
    private static PhaseScores Planted(PhaseAxis vary, Func<string, double, int, double> loss)
    {
        var preset = PhasePresets.Build("quick", vary, ValleyKind.Valley2D);
        var grid = preset with
        {
            XValues = vary == PhaseAxis.Sharpness ? SweepGrid.Logspace(-1, 3, NX) : SweepGrid.Linspace(0, 0.5, NX),
            SigmaValues = SweepGrid.Linspace(0, 3, NY),
            LearningRates = [1e-3, 1e-2],
            Replicates = 1,
        };
        long count = grid.PointReplicates;
        int runs = checked((int)(grid.NOpt * grid.NLr * count));
        var final = new float[runs];
        var result = new SweepResult(grid, 0, 1, 0, count, final, new float[runs], new float[runs]);
        for (int o = 0; o < grid.NOpt; o++)
            for (int l = 0; l < grid.NLr; l++)
                for (int y = 0; y < NY; y++)
                    for (int x = 0; x < NX; x++)
                        final[result.Index(o, l, y, x, 0)] = (float)loss(grid.Optimizers[o].Id, grid.SigmaValues[y], x);
        return new PhaseScores(result);
    }

    private static string Verdict(ClaimRecord[] claims, string id) => Assert.Single(claims, c => c.Id == id).Verdict;

    [Fact]
    public void A_critical_noise_that_grows_with_sharpness_and_a_focus_edge_in_sharp_valleys_are_reproduced()
    {
        // Signum overtakes adam at σc(x) = 0.5 + 0.25x; focus beats signum in the sharper half of the axis only.
        var s = Planted(PhaseAxis.Sharpness, (id, sigma, x) => id switch
        {
            "adam" => 1.0,
            "signum" => 1.0 + (0.5 + 0.25 * x - sigma),
            _ => 1.0 + (0.5 + 0.25 * x - sigma) + (x >= NX / 2 ? -0.01 : 0.01),
        });
        var claims = PhaseClaims.Check(s, "focuslab phase --test");
        Assert.Equal(3, claims.Length);
        Assert.Equal(ClaimVerdict.Reproduced, Verdict(claims, "focus.fig2a.sigma_c"));
        Assert.Equal(ClaimVerdict.Reproduced, Verdict(claims, "focus.fig2a.sigma_c_grows"));
        Assert.Equal(ClaimVerdict.Reproduced, Verdict(claims, "focus.fig2a.focus_sharp"));
        Assert.Contains("Spearman ρ(a, σc) = 1.000", Assert.Single(claims, c => c.Id == "focus.fig2a.sigma_c_grows").Numbers);
        Assert.All(claims, c => Assert.Equal("focuslab phase --test", c.Command));
        // A reduced grid is a stated deviation from the paper's sweep.
        Assert.All(claims, c => Assert.Contains(c.Deviations, d => d.Contains("1 replicates instead of 50")));
    }

    [Fact]
    public void A_critical_noise_that_falls_with_sharpness_or_never_comes_is_not_reproduced()
    {
        var falling = PhaseClaims.Check(Planted(PhaseAxis.Sharpness, (id, sigma, x) => id == "adam" ? 1.0 : 1.0 + (2.5 - 0.25 * x - sigma)), "c");
        Assert.Equal(ClaimVerdict.NotReproduced, Verdict(falling, "focus.fig2a.sigma_c_grows"));
        // Focus equals signum everywhere: it never beats it, so no edge in sharp valleys.
        Assert.Equal(ClaimVerdict.NotReproduced, Verdict(falling, "focus.fig2a.focus_sharp"));

        // Adam wins at every noise level: no σc in any column, too few points to rank.
        var never = PhaseClaims.Check(Planted(PhaseAxis.Sharpness, (id, sigma, x) => id == "adam" ? 1.0 : 2.0), "c");
        Assert.Equal(ClaimVerdict.NotReproduced, Verdict(never, "focus.fig2a.sigma_c"));
        Assert.Equal(ClaimVerdict.NotTestable, Verdict(never, "focus.fig2a.sigma_c_grows"));
    }

    [Fact]
    public void The_weight_decay_sweep_judges_whether_large_decay_erases_focus_edge()
    {
        // Focus beats signum at small wd only: the fig. 2b picture.
        var erased = PhaseClaims.Check(Planted(PhaseAxis.WeightDecay, (id, sigma, x) => id switch
        {
            "adam" => 1.0, "signum" => 0.9, _ => x < NX / 3 ? 0.8 : 0.95,
        }), "c");
        var claim = Assert.Single(erased);
        Assert.Equal("focus.fig2b.wd_erases_focus", claim.Id);
        Assert.Equal(ClaimVerdict.Reproduced, claim.Verdict);

        // Focus keeps its edge at every wd: not reproduced.
        var kept = PhaseClaims.Check(Planted(PhaseAxis.WeightDecay, (id, sigma, x) => id == "focus" ? 0.8 : 1.0), "c");
        Assert.Equal(ClaimVerdict.NotReproduced, Assert.Single(kept).Verdict);
    }

    [Fact]
    public void Spearman_matches_a_hand_computed_value_with_ties()
    {
        // Ranks of b = (5, 6, 7, 8, 7) are (1, 2, 3.5, 5, 3.5); ρ = 8 / √(10 · 9.5).
        Assert.Equal(8 / Math.Sqrt(95), PhaseClaims.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);
        Assert.Equal(-1, PhaseClaims.Spearman([1, 2, 3], [30, 20, 10]), 12);
    }
}
