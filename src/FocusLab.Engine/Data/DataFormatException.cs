namespace FocusLab.Engine.Data;

/// <summary>
/// A data file that exists but cannot be used: wrong magic number, inconsistent sizes, truncated or
/// corrupt compression, invalid UTF-8, labels out of range. The message names the file and the problem.
/// </summary>
public sealed class DataFormatException : IOException
{
    public DataFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
}
