namespace FocusLab.Engine.Data.Text;

/// <summary>The argument checks shared by the random and the sequential text batchers.</summary>
internal static class TextWindows
{
    /// <summary>Throws unless batch and block sizes are positive and <paramref name="tokens"/> holds one block plus its shifted target.</summary>
    public static void Validate(int tokens, int batchSize, int blockSize, string stream, string remedy)
    {
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"Batch size must be positive; got {batchSize}.");
        if (blockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), $"Block size must be positive; got {blockSize}.");
        if (tokens < blockSize + 1)
            throw new ArgumentException(
                $"The {stream} has {tokens} tokens; a block of {blockSize} needs at least {blockSize + 1} " +
                $"(inputs plus the shifted target). {remedy}", nameof(tokens));
    }
}
