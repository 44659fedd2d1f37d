namespace FocusLab.Engine.Data;

/// <summary>
/// A data file that exists but cannot be used: wrong magic number, inconsistent sizes, truncated or
/// corrupt compression, invalid UTF-8, labels out of range. The message names the file and the problem.
/// </summary>
public sealed class DataFormatException : IOException
{
    /// <summary>The error for <paramref name="path"/>; the message is "{path}: {problem}".</summary>
    /// <param name="path">The offending file.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="inner">The exception that revealed the problem (e.g. a decompression error), if any.</param>
    public DataFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
}
