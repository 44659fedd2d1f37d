using System.Globalization;

namespace FocusLab.Optim.Schedules;

/// <summary>Parses schedule specs: <c>constant</c>, <c>cosine:warmup=2000,floor=0.05</c> (floor defaults to 0).</summary>
public static class Schedule
{
    /// <summary>Builds the schedule named by <paramref name="spec"/>; an unknown name or argument throws, listing what is known.</summary>
    /// <param name="spec"><c>constant</c>, or <c>cosine:warmup=W,floor=F</c> (also <c>warmup_cosine</c>; W and F default to 0).</param>
    /// <param name="totalSteps">The run's length: where the cosine reaches its floor.</param>
    public static ILearningRateSchedule Parse(string spec, long totalSteps)
    {
        var (name, args) = Split(spec);
        switch (name)
        {
            case "constant":
                if (args.Count > 0) throw new ArgumentException($"Schedule '{spec}': constant takes no arguments.", nameof(spec));
                return ConstantSchedule.Instance;
            case "cosine":
            case "warmup_cosine":
                long warmup = args.Remove("warmup", out var w) ? long.Parse(w, CultureInfo.InvariantCulture) : 0;
                double floor = args.Remove("floor", out var f) ? double.Parse(f, CultureInfo.InvariantCulture) : 0;
                if (args.Count > 0) throw new ArgumentException($"Schedule '{spec}': unknown argument(s) {string.Join(", ", args.Keys)}; cosine takes warmup and floor.", nameof(spec));
                return new WarmupCosineSchedule(warmup, totalSteps, floor);
            default:
                throw new ArgumentException($"Unknown schedule '{name}'. Known: constant, cosine:warmup=W,floor=F.", nameof(spec));
        }
    }

    private static (string, Dictionary<string, string>) Split(string spec)
    {
        int colon = spec.IndexOf(':');
        var d = new Dictionary<string, string>();
        if (colon >= 0)
            foreach (var part in spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2);
                if (kv.Length != 2) throw new ArgumentException($"Schedule '{spec}': '{part}' is not name=value.", nameof(spec));
                d[kv[0]] = kv[1];
            }
        return ((colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant(), d);
    }
}
