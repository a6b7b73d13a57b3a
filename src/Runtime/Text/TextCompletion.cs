namespace Kvpr.Text
{
    /// <summary>
    /// A finished sequence: its index among the call's requests, the prompt's length, the generated ids (an
    /// end-of-sequence token included, as the engine gives it) and their text (special tokens and any stop string left out).
    /// </summary>
    public sealed record TextCompletion(int Index, int PromptTokens, int[] TokenIds, string Text, FinishReason FinishReason);
}
