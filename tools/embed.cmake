# Turns a file into a C++ source that defines `extern const char SYMBOL[]`, NUL-terminated.
# Each byte is written as a character literal ('\xe2'), so bytes above 0x7f (UTF-8 text) need
# no narrowing conversion, and a file of a megabyte or more compiles: an array initializer
# has no length limit, unlike a string literal.
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," content "${content}")
file(WRITE ${OUT} "namespace aidc::detail {\nextern const char ${SYMBOL}[];\nconst char ${SYMBOL}[] = {${content} '\\0'};\n}  // namespace aidc::detail\n")
