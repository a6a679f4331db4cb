# Turns a text file into a C++ source that defines `extern const char SYMBOL[]`.
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
file(WRITE ${OUT} "namespace aidc::detail {\nextern const char ${SYMBOL}[];\nconst char ${SYMBOL}[] = {${content} 0x00};\n}  // namespace aidc::detail\n")
