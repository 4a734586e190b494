"""Teaching the library a name from a few example photos: checking the request, learning the
name's word vector on the text side (the stored image vectors stay valid), measuring the result
the way the research did, and learning every name again for a new model."""
