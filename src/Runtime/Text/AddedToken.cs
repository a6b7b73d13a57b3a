namespace Kvpr.Text
{
    /// <summary>
    /// A token matched whole in the text before the model splits it (tokenizer.json's added_tokens,
    /// tokenizer_config.json's added_tokens_decoder); decoding with skipSpecialTokens drops the special ones.
    /// </summary>
    public sealed record AddedToken(int Id, string Content, bool Special);
}
