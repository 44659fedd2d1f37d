namespace FocusLab.Lab.Diagnostics;

/// <summary>Argument checks shared by the diagnostics; each message names the problem and the fix.</summary>
internal static class Check
{
    public static void Length(int expected, int actual, string what, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{what} has length {actual} but the operator's dimension is {expected}; pass a vector of length {expected}.", name);
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }

    public static void AtLeast(int value, int min, string name)
    {
        if (value < min) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {min}.");
    }

    public static void Finite(ReadOnlySpan<double> v, string what, string name)
    {
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i]))
                throw new ArgumentException($"{what} has a non-finite entry at index {i} ({v[i]}); diagnostics need finite values.", name);
    }
}
