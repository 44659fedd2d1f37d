using FocusLab.Lab.Claims;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Tests.Training;

namespace FocusLab.Lab.Tests.Studies.Race;

public class LmRaceShardTests
{
    private static LmRaceConfig Tiny() => new("test", 1, 2, 16, 8, 4, 4, 8, 4, 2, 0.1, 0.1, 1.0, [1, 2],
    [
        new("adamw", "adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", [1e-3, 1e-2]),
        new("focus", "focus:beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.2", [3e-4, 3e-3]),
    ], TuneSeeds: 1, MaxLrExtensions: 1);

    [Fact]
    public void Shards_rerun_until_nothing_is_pending_merge_into_the_unsharded_race_and_a_rerun_trains_nothing()
    {
        var corpus = TinyTasks.Corpus();
        string straight = TinyTasks.TempDir();
        var reference = new LmRace(Tiny(), corpus, straight).Run();
        Assert.NotNull(reference);
        // Two seeds for each entrant plus the paper's literal row (focus at adamw's lr).
        Assert.Equal(6, reference!.Runs.Count(r => r.Kind == "main"));
        Assert.Contains(reference.Summary, r => r.Optimizer == LmRace.FocusAtAdamwLr && r.Lr == reference.Summary.Single(a => a.Optimizer == "adamw").Lr);
        Assert.All(reference.Tuning, t => Assert.True(t.Lrs.Length >= 2));

        string sharded = TinyTasks.TempDir();
        for (int round = 0; round < 4; round++)
        {
            int pending = 0;
            for (int i = 0; i < 2; i++)
            {
                var race = new LmRace(Tiny(), corpus, sharded) { Shard = new Shard(i, 2) };
                if (race.Run() is null) pending += race.Pending.Count;
            }
            if (pending == 0) break;
        }
        var merged = new LmRace(Tiny(), corpus, sharded) { MergeOnly = true }.Run();
        Assert.NotNull(merged);
        Assert.Equal(reference.Runs.Select(r => (r.Name, r.FinalValLoss)), merged!.Runs.Select(r => (r.Name, r.FinalValLoss)));
        Assert.Equal(reference.Summary, merged.Summary, (a, b) => a.Optimizer == b.Optimizer && a.FinalMean.Equals(b.FinalMean) && a.Lr == b.Lr);

        int trained = 0;
        var again = new LmRace(Tiny(), corpus, straight) { ProgressFor = _ => { trained++; return null; } }.Run();
        Assert.Equal(0, trained);
        Assert.Equal(reference.Summary.Select(r => r.FinalMean), again!.Summary.Select(r => r.FinalMean));
    }

    [Fact]
    public void Merge_of_an_unfinished_race_lists_what_is_pending()
    {
        var race = new LmRace(Tiny(), TinyTasks.Corpus(), TinyTasks.TempDir()) { MergeOnly = true };
        Assert.Null(race.Run());
        Assert.Contains(race.Pending, p => p.StartsWith("tuning of adamw"));
    }

    private static RaceRun MainRun(string opt, int seed, double final, double[][] curve) =>
        new($"runs/{opt}/seed{seed}", opt, "main", seed, 1e-3, opt, 100, final, false, null, 1, 1, curve, [], []);

    [Fact]
    public void Summary_gives_mean_spread_and_whether_the_difference_beats_the_spread()
    {
        double[][] Curve(double end) => [[50, end + 0.5], [100, end]];
        var runs = new List<RaceRun>
        {
            MainRun("adamw", 1, 2.0, Curve(2.0)), MainRun("adamw", 2, 2.2, Curve(2.2)), MainRun("adamw", 3, 2.1, Curve(2.1)),
            // focus: lower than adamw on every seed.
            MainRun("focus", 1, 1.9, [[50, 1.95], [100, 1.9]]), MainRun("focus", 2, 2.0, [[50, 2.1], [100, 2.0]]), MainRun("focus", 3, 2.05, [[50, 2.3], [100, 2.05]]),
            // signum: mixed signs.
            MainRun("signum", 1, 2.1, Curve(2.1)), MainRun("signum", 2, 2.1, Curve(2.1)), MainRun("signum", 3, 2.0, Curve(2.0)),
        };
        var config = LmRaceConfig.Quick() with { Seeds = [1, 2, 3] };
        var rows = LmRace.Summarize(runs, LmRace.Compare(config, runs), new Dictionary<string, bool> { ["signum"] = true });
        var focus = rows.Single(r => r.Optimizer == "focus");
        Assert.Equal((1.9 + 2.0 + 2.05) / 3, focus.FinalMean, 12);
        Assert.Equal((0.1 + 0.2 + 0.05) / 3, focus.DiffVsAdamw!.Value, 12);
        Assert.True(focus.LargerThanSpread);
        // Seeds 1 and 2 reach adamw's final at step 50 (speed-up 2), seed 3 at step 100 (speed-up 1).
        Assert.Equal(3, focus.Reached);
        Assert.Equal(5.0 / 3, focus.SpeedupMean!.Value, 12);
        var signum = rows.Single(r => r.Optimizer == "signum");
        Assert.False(signum.LargerThanSpread);
        Assert.True(signum.EdgeLr);

        Assert.Equal(ClaimVerdict.Reproduced, LmRaceClaims.Judge(focus, 3).Verdict);
        Assert.Equal(ClaimVerdict.NotTestable, LmRaceClaims.Judge(focus, 2).Verdict);
        var (v, reason) = LmRaceClaims.Judge(signum, 3);
        Assert.Equal(ClaimVerdict.NotTestable, v);
        Assert.Contains("edge", reason);
        Assert.Contains("within the seed spread", LmRaceClaims.Judge(signum with { EdgeLr = false }, 3).Reason);
    }
}
