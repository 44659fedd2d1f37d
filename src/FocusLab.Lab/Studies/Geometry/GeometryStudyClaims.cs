using System.Globalization;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Studies.Rotation;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>
/// The geometry study's claims for the ledger (<c>claims.json</c>): one per (optimizer, rotation) prediction — sgd
/// unchanged by both rotations, muon unchanged by the matrix rotation and hurt by the coordinate one, adam, signum and
/// focus hurt by both — with the numbers and verdict of <see cref="GeometryStudy.Compare"/>; and one check of the
/// curvature probes: λmax, an invariant of both rotations, agrees across the versions on sgd's runs (which end at the
/// same network).
/// </summary>
public static class GeometryStudyClaims
{
    /// <summary>The papers the predictions come from.</summary>
    public const string Paper = "Xie et al. (ℓ∞ geometry of adam) and Jordan et al. / Bernstein & Newhouse (Muon, spectral-norm steepest descent)";

    /// <summary>Relative difference of the measurement loss within which two runs count as ending at the same network.</summary>
    public const double SameNetwork = 1e-5;

    private const string PaperProtocol = "steepest descent under a norm is equivariant under the maps that preserve that norm: ℓ2 (sgd) under every rotation, the blockwise spectral norm (muon) under W ↦ U·W·Vᵀ, ℓ∞ (adam, sign methods) under neither; Xie et al. measure the ℓ∞ case on GPT-2 and ResNets";

    /// <summary>The ledger records of a report; <paramref name="command"/> is the command line that produced it.</summary>
    public static ClaimRecord[] Check(GeometryStudyReport report, string command)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var o = report.Options.Network;
        string protocol = string.Create(inv, $"{(o.Model == "gpt" ? $"byte-level GPT ({o.Gpt.Layers} layer(s), width {o.Gpt.Embedding})" : $"MLP {o.Mlp.Inputs}-{o.Mlp.Hidden}×{o.Mlp.Depth}-{o.Mlp.Classes} on Fashion-MNIST")}, {report.Parameters} parameters, {o.Steps} steps at batch {o.Batch}, warm-up + cosine, clip {o.ClipNorm}; each (optimizer, loss) at its own best lr (grid ×{string.Join("/", o.LearningRateFactors)} of the spec's, up to {o.MaxLrExtensions} extension(s) per side); final loss = mean of the last {NetworkRotationStudy.FinalWindow} minibatch losses; coordinate rotation: {o.Rounds} tensor-product rounds; matrix rotation: Haar U, V per weight matrix ({report.Matrices.Length} matrices)");
        string[] deviations =
        [
            o.Model == "gpt" ? "a laptop-scale GPT for a few hundred steps, not GPT-2 trained to convergence" : "an MLP for a few hundred steps, not a ResNet or GPT-2 trained to convergence",
            "muon's non-matrix tensors (biases, embeddings, output head) are stepped by adam, whose lr stays at the spec's while muon's is tuned",
        ];
        var records = new List<ClaimRecord>();
        foreach (var c in report.Comparisons)
        {
            string claim = c.Prediction == "unchanged"
                ? $"{c.Optimizer} is unchanged by the {c.Rotation} rotation (final loss within 1%)"
                : $"{c.Optimizer} is hurt by the {c.Rotation} rotation (final loss higher by more than 1% and more than the seeds' spread)";
            string numbers = c.Seeds == 0 ? "no seed finished on both losses"
                : string.Create(inv, $"final loss over {c.Seeds} seed(s): original {c.Original:G4}, {c.Rotation} {c.Rotated:G4}; difference {c.MeanDifference:G3} ± {c.Spread:G2} ({c.RelativeChangePercent:+0.0;-0.0;+0.0}%)");
            string reason = c.Verdict switch
            {
                ClaimVerdict.NotTestable => c.Seeds == 0 ? "every seed diverged on one of the two losses" : "a best learning rate is still at the edge of its grid after the allowed extensions",
                ClaimVerdict.Reproduced => c.Prediction == "unchanged" ? "the change is within 1% of the original loss" : "the loss rose by more than 1% and more than the seeds' spread",
                _ => c.Prediction == "unchanged" ? "the change exceeds 1% of the original loss" : "the rise is within 1% or within the seeds' spread",
            };
            records.Add(new ClaimRecord($"geometry-{o.Model}-{c.Optimizer}-{c.Rotation}", Paper, claim, PaperProtocol, protocol, deviations, command, numbers, c.Seeds, c.Verdict, reason));
        }
        var sgd = report.BestRuns.Where(r => r.Optimizer == "sgd" && r.Measure is not null).ToArray();
        // Only pairs at the same network test the invariant: sgd's paths agree to float32 rounding, which a long run can
        // amplify until a seed ends elsewhere (its measurement loss then differs); such seeds are named and left out.
        var pairs = sgd.Where(r => r.Loss != "original")
            .Select(r => (Run: r, Original: sgd.FirstOrDefault(x => x.Loss == "original" && x.Seed == r.Seed && x.LearningRate == r.LearningRate)))
            .Where(p => p.Original is not null && p.Original.Measure!.LambdaMax != 0).ToArray();
        bool Same((GeometryRun Run, GeometryRun? Original) p) =>
            Math.Abs(p.Run.Measure!.MeasureLoss - p.Original!.Measure!.MeasureLoss) <= SameNetwork * Math.Abs(p.Original.Measure.MeasureLoss);
        var same = pairs.Where(Same).ToArray();
        var apart = pairs.Where(p => !Same(p)).ToArray();
        if (pairs.Length > 0)
        {
            var ratios = same.Select(p => p.Run.Measure!.LambdaMax / p.Original!.Measure!.LambdaMax).ToArray();
            double worst = ratios.Length == 0 ? double.NaN : ratios.Max(x => Math.Abs(x - 1));
            string numbers = string.Create(inv, $"λmax rotated/original at the same network over {ratios.Length} run(s): {string.Join(", ", ratios.Select(x => x.ToString("G6", inv)))}") +
                (apart.Length == 0 ? "" : "; left out (the run ended at another network, float32 rounding amplified): " + string.Join(", ", apart.Select(p =>
                    string.Create(inv, $"{p.Run.Loss} seed {p.Run.Seed} (measurement loss {p.Run.Measure!.MeasureLoss:G6} vs {p.Original!.Measure!.MeasureLoss:G6}; λmax ratio {p.Run.Measure.LambdaMax / p.Original.Measure.LambdaMax:G4})"))));
            string verdict = ratios.Length == 0 ? ClaimVerdict.NotTestable : worst <= 1e-2 ? ClaimVerdict.Reproduced : ClaimVerdict.NotReproduced;
            string reason = verdict switch
            {
                ClaimVerdict.NotTestable => "no rotated sgd run ended at the same network as its original run",
                ClaimVerdict.Reproduced => "every ratio is within 1% of 1",
                _ => "a ratio differs from 1 by more than 1% (Lanczos not converged)",
            };
            records.Add(new ClaimRecord($"geometry-{o.Model}-lambda-max-invariant", Paper,
                "λmax of the Hessian is the same on every loss version at the same network (both rotations are orthogonal)", PaperProtocol,
                protocol + "; measured on sgd's runs, which follow the same path on every version", deviations, command, numbers, ratios.Length, verdict, reason));
        }
        return records.ToArray();
    }
}
