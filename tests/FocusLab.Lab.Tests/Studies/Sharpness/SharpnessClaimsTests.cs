
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Studies.Sharpness;

public class SharpnessClaimsTests
{
    private static SharpnessCheckpoint Checkpoint(params (string Name, double Sharpness, double Reduction)[] rows) => Checkpoint(false, rows);

    private static SharpnessCheckpoint Checkpoint(bool capped, params (string Name, double Sharpness, double Reduction)[] rows) =>
        new("sgd", 1, 10, 1, 1, 1, rows.Select(r => new SharpnessMeasurement(r.Name, r.Sharpness, r.Sharpness, false, r.Sharpness / rows[0].Sharpness, -1, r.Reduction, 0.1, 0.01, true, [], [],
            0.05, 0.2, capped && r.Name.EndsWith("_clip", StringComparison.Ordinal))).ToArray());

    private static SharpnessCheckpoint Paperlike(double sgdOverClip, double adamRatio) =>
        Checkpoint(("sgd", 1, 0.01), ("sgd_clip", 1 / sgdOverClip, 0.02), ("adam", adamRatio, 0.03), ("adam_clip", adamRatio / 10, 0.04), ("adafactor", adamRatio, 0.03));

    [Fact]
    public void Paper_like_numbers_agree_with_every_claim()
    {
        var claims = SharpnessClaims.Check([Paperlike(3, 0.1), Paperlike(5, 0.2), Paperlike(1.5, 0.05)], "gpt");
        Assert.Equal(5, claims.Length);
        Assert.All(claims, c => Assert.True(c.Holds, c.Claim + " — " + c.Evidence));
        Assert.Contains("= 3 over 3 checkpoints", claims[0].Evidence); // median of 3, 5, 1.5
    }

    [Fact]
    public void Contrary_numbers_disagree()
    {
        // Clipping barely changes sharpness and adaptive directions are as sharp as sgd's.
        var claims = SharpnessClaims.Check([Paperlike(1.2, 1.0), Paperlike(1.1, 0.9)], "gpt");
        Assert.False(claims.Single(c => c.Claim.Contains("sgd ≫")).Holds);
        Assert.False(claims.Single(c => c.Claim.Contains("transformer")).Holds);
        // On the MLP the same numbers are what the paper expects (adaptive not flatter than sgd).
        Assert.True(SharpnessClaims.Check([Paperlike(1.2, 1.0), Paperlike(1.1, 0.9)], "mlp").Single(c => c.Claim.Contains("non-transformer")).Holds);
    }

    [Fact]
    public void Capped_line_searches_are_left_out_and_too_many_make_the_claim_not_testable()
    {
        static SharpnessCheckpoint At(bool capped, double clipReduction) =>
            Checkpoint(capped, ("sgd", 1, 0.01), ("sgd_clip", 0.2, clipReduction), ("adam", 0.1, 0.03), ("adam_clip", 0.01, clipReduction), ("adafactor", 0.1, 0.03));
        // One capped checkpoint (where the clipped search saw a large, truncated reduction) does not count either way.
        var claims = SharpnessClaims.Check([At(false, 0.001), At(false, 0.001), At(true, 9)], "gpt");
        var adam = claims.Single(c => c.Claim.StartsWith("adam_clip's", StringComparison.Ordinal));
        Assert.Equal(FocusLab.Lab.Reports.ClaimOutcome.NotReproduced, adam.Outcome);
        Assert.Contains("larger at 0 of 2 checkpoints", adam.Evidence);
        Assert.Contains("left out: 1 with a minimum beyond the cap", adam.Evidence);
        // Most searches capped: not testable, with the reason.
        adam = SharpnessClaims.Check([At(false, 0.001), At(true, 9), At(true, 9)], "gpt").Single(c => c.Claim.StartsWith("adam_clip's", StringComparison.Ordinal));
        Assert.Equal(FocusLab.Lab.Reports.ClaimOutcome.NotTestableAtThisScale, adam.Outcome);
        Assert.Contains("only 1 of 3 checkpoints", adam.Reason);
        // Every claim names its paper and the protocol differences.
        Assert.All(claims, c => Assert.Contains("Pan & Li", c.Paper));
        Assert.All(claims, c => Assert.Contains(c.ProtocolDifferences, d => d.Contains("byte-level GPT")));
    }

    [Fact]
    public void Negative_sharpness_is_left_out_of_ratios()
    {
        var bad = Checkpoint(("sgd", 1, 0.01), ("sgd_clip", -0.5, 0.02), ("adam", 0.1, 0.03), ("adam_clip", 0.01, 0.04), ("adafactor", 0.1, 0.03));
        var claims = SharpnessClaims.Check([bad, Paperlike(4, 0.1)], "gpt");
        Assert.Contains("= 4 over 1 checkpoints", claims[0].Evidence);
    }
}
