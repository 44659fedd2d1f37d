using System.Text.Json.Nodes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Studies.Phase;

/// <summary>
/// The `focuslab phase --json` summary: exactly wall_seconds, steps_total, x_axis and y_axis
/// ({name, values}), optimizers, winners ([y][x] optimizer ids, null where every run diverged),
/// sigma_c (per x, or null) and diverged_runs.
/// </summary>
public static class PhaseSummary
{
    public static JsonObject Build(PhaseScores s, double wallSeconds)
    {
        var g = s.Grid;
        var winners = new JsonArray();
        for (int y = 0; y < g.NY; y++)
        {
            var row = new JsonArray();
            for (int x = 0; x < g.NX; x++) row.Add(s.WinnerId(y, x) is { } id ? JsonValue.Create(id) : null);
            winners.Add(row);
        }
        return new JsonObject
        {
            ["wall_seconds"] = Math.Round(wallSeconds, 3),
            ["steps_total"] = (long)g.TotalSteps,
            ["x_axis"] = new JsonObject { ["name"] = g.XName, ["values"] = Numbers(g.XValues) },
            ["y_axis"] = new JsonObject { ["name"] = "sigma", ["values"] = Numbers(g.SigmaValues) },
            ["optimizers"] = new JsonArray(g.Optimizers.Select(o => (JsonNode?)JsonValue.Create(o.Id)).ToArray()),
            ["winners"] = winners,
            ["sigma_c"] = new JsonArray(s.SigmaC.Select(v => v is { } d ? (JsonNode?)JsonValue.Create(Math.Round(d, 6)) : null).ToArray()),
            ["diverged_runs"] = s.DivergedRuns,
        };
    }

    private static JsonArray Numbers(double[] v) => new(v.Select(d => (JsonNode?)JsonValue.Create(Math.Round(d, 12))).ToArray());
}
