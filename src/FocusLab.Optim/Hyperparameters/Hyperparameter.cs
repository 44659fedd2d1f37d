using System.Globalization;

namespace FocusLab.Optim;

/// <summary>What kind of value a hyperparameter holds; all are stored as doubles.</summary>
public enum HyperparameterKind { Real, Boolean, Choice }

/// <summary>
/// One named hyperparameter: its default, its valid range and how it is parsed. Each optimizer lists
/// its hyperparameters once (its <c>Schema</c>), so defaults live in one place per optimizer.
/// </summary>
public sealed record Hyperparameter(
    string Name,
    double Default,
    HyperparameterKind Kind = HyperparameterKind.Real,
    double Min = double.NegativeInfinity,
    double Max = double.PositiveInfinity,
    bool MinInclusive = true,
    bool MaxInclusive = true,
    string[]? Choices = null,
    string Description = "")
{
    public static Hyperparameter Real(string name, double @default, double min, double max, bool minInclusive = true, bool maxInclusive = true, string description = "")
        => new(name, @default, HyperparameterKind.Real, min, max, minInclusive, maxInclusive, null, description);

    public static Hyperparameter Flag(string name, bool @default, string description = "")
        => new(name, @default ? 1 : 0, HyperparameterKind.Boolean, 0, 1, Description: description);

    public static Hyperparameter Choice(string name, string @default, string[] choices, string description = "")
        => new(name, Array.IndexOf(choices, @default), HyperparameterKind.Choice, 0, choices.Length - 1, Choices: choices, Description: description);

    // Common definitions, shared so that every optimizer states the same valid ranges.
    public static Hyperparameter LearningRate(double @default) => Real("lr", @default, 0, double.PositiveInfinity, description: "learning rate η");
    public static Hyperparameter WeightDecay(double @default = 0) => Real("weight_decay", @default, 0, double.PositiveInfinity, description: "weight decay");
    public static Hyperparameter Beta(string name, double @default) => Real(name, @default, 0, 1, true, false, "moment decay rate");
    public static Hyperparameter Epsilon(double @default) => Real("eps", @default, 0, double.PositiveInfinity, description: "denominator guard");

    /// <summary>Human-readable valid range, used in error messages.</summary>
    public string RangeText => Kind switch
    {
        HyperparameterKind.Boolean => "true or false",
        HyperparameterKind.Choice => "one of " + string.Join(", ", Choices!),
        _ when double.IsNegativeInfinity(Min) && double.IsPositiveInfinity(Max) => "any finite number",
        _ when double.IsPositiveInfinity(Max) => (MinInclusive ? "≥ " : "> ") + Fmt(Min),
        _ => "in " + (MinInclusive ? "[" : "(") + Fmt(Min) + ", " + Fmt(Max) + (MaxInclusive ? "]" : ")"),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the parameter and its valid range when <paramref name="value"/> is out of range.</summary>
    public double Validate(double value, string optimizerId)
    {
        bool ok = Kind switch
        {
            HyperparameterKind.Boolean => value is 0 or 1,
            HyperparameterKind.Choice => value == Math.Floor(value) && value >= 0 && value < Choices!.Length,
            _ => double.IsFinite(value)
                 && (MinInclusive ? value >= Min : value > Min)
                 && (MaxInclusive ? value <= Max : value < Max),
        };
        if (!ok)
            throw new ArgumentException($"{optimizerId}: {Name} = {Format(value)} is invalid; {Name} must be {RangeText}.", Name);
        return value;
    }

    /// <summary>Parses the text form used in spec strings (`true`, `after`, `6e-4`).</summary>
    public double Parse(string text, string optimizerId)
    {
        text = text.Trim();
        switch (Kind)
        {
            case HyperparameterKind.Boolean:
                if (text is "true" or "True" or "1" or "yes") return 1;
                if (text is "false" or "False" or "0" or "no") return 0;
                break;
            case HyperparameterKind.Choice:
                int i = Array.IndexOf(Choices!, text);
                if (i >= 0) return i;
                break;
            default:
                // inf, nan, 1e999: say which finite values are valid rather than "cannot read".
                if (IsNonFiniteText(text) || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double big) && !double.IsFinite(big)))
                    throw new ArgumentException($"{optimizerId}: {Name} = {text} is not a finite number; {Name} must be a finite number {RangeText.Replace("any finite number", "").Trim()}".TrimEnd() + ".", Name);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    return Validate(v, optimizerId);
                break;
        }
        throw new ArgumentException($"{optimizerId}: cannot read {Name} = '{text}'; {Name} must be {RangeText}.", Name);
    }

    private static bool IsNonFiniteText(string text) =>
        text.TrimStart('+', '-').ToLowerInvariant() is "inf" or "infinity" or "nan" or "∞";

    /// <summary>The text form of a value: true/false, the choice's name, or the shortest round-trip number.</summary>
    public string Format(double value) => Kind switch
    {
        HyperparameterKind.Boolean => value != 0 ? "true" : "false",
        HyperparameterKind.Choice when value >= 0 && value < Choices!.Length && value == Math.Floor(value) => Choices[(int)value],
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
