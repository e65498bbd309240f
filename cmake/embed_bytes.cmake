# callpolicy_embed_bytes(input bytes_var size_var): `input`'s bytes as the
# body of a C++ char array ('\xNN' literals, a line of the file a line of
# the array) and their count. Included by the -P scripts embed_file.cmake
# and embed_directory.cmake.
function(callpolicy_embed_bytes input bytes_var size_var)
  file(READ "${input}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(REPLACE "'\\x0a'," "'\\x0a',\n    " bytes "${bytes}")
  set(${bytes_var} "${bytes}" PARENT_SCOPE)
  set(${size_var} "${size}" PARENT_SCOPE)
endfunction()
