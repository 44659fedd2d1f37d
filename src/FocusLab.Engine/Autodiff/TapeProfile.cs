namespace FocusLab.Engine.Autodiff;

/// <summary>Wall time per tape operation (e.g. "Linear forward"), for finding hot spots.</summary>
public sealed class TapeProfile
{
    private readonly Dictionary<string, (long Calls, TimeSpan Time)> _entries = [];

    public void Add(string name, TimeSpan time)
    {
        _entries.TryGetValue(name, out var e);
        _entries[name] = (e.Calls + 1, e.Time + time);
    }

    public IReadOnlyDictionary<string, (long Calls, TimeSpan Time)> Entries => _entries;

    public void Clear() => _entries.Clear();
}
