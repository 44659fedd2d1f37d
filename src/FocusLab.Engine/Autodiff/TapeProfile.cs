namespace FocusLab.Engine.Autodiff;

/// <summary>Wall time per tape operation (e.g. "Linear forward"), for finding hot spots.</summary>
public sealed class TapeProfile
{
    private readonly Dictionary<string, (long Calls, TimeSpan Time)> _entries = [];

    /// <summary>Adds one call of <paramref name="name"/> that took <paramref name="time"/>.</summary>
    public void Add(string name, TimeSpan time)
    {
        _entries.TryGetValue(name, out var e);
        _entries[name] = (e.Calls + 1, e.Time + time);
    }

    /// <summary>Calls and total wall time per operation name since the last <see cref="Clear"/>.</summary>
    public IReadOnlyDictionary<string, (long Calls, TimeSpan Time)> Entries => _entries;

    /// <summary>Forgets every entry.</summary>
    public void Clear() => _entries.Clear();
}
