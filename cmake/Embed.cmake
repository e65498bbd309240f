# callpolicy_embed(target namespace function file): `target` gets a function
# `std::string_view namespace::function()` returning `file`'s bytes, made at
# build time and remade when the file changes (cmake/embed_file.cmake).
function(callpolicy_embed target namespace function file)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded/${function}.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DOUTPUT=${output} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake ${PROJECT_SOURCE_DIR}/cmake/embed_bytes.cmake
    COMMENT "Embedding ${file}"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()

# callpolicy_embed_directory(target namespace function directory extension):
# `target` gets `std::span<const std::pair<std::string_view, std::string_view>>
# namespace::function()`, the name and bytes of each `*.extension` file of
# `directory` in name order (cmake/embed_directory.cmake).
function(callpolicy_embed_directory target namespace function directory extension)
  file(GLOB inputs CONFIGURE_DEPENDS ${directory}/*.${extension})
  list(SORT inputs)
  string(REPLACE ";" "|" joined "${inputs}")
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded/${function}.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} "-DINPUTS=${joined}" -DOUTPUT=${output} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_directory.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/embed_directory.cmake ${PROJECT_SOURCE_DIR}/cmake/embed_bytes.cmake
    COMMENT "Embedding ${directory}"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()
