namespace FocusLab.Engine.Data;

/// <summary>
/// A dataset or corpus was not found where it was looked for. The message says where it looked and
/// how to fix it (which Debian package to install, or which --data option to pass).
/// </summary>
public sealed class DataNotFoundException : FileNotFoundException
{
    /// <summary>The error with its full message (where it looked, how to fix it) and the path searched.</summary>
    /// <param name="message">The one-line message, ending with the fix.</param>
    /// <param name="searchedPath">The folder or file that was searched.</param>
    public DataNotFoundException(string message, string searchedPath) : base(message, searchedPath)
    {
        SearchedPath = searchedPath;
    }

    /// <summary>The folder or file that was searched.</summary>
    public string SearchedPath { get; }
}
