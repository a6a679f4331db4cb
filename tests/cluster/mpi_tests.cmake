# aidc sweep under mpirun (tests/cluster/mpi_test.sh), when the program is built with MPI.
if(AIDC_MPI AND MPIEXEC_EXECUTABLE)
  add_test(NAME mpi_sweep
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/cluster/mpi_test.sh $<TARGET_FILE:aidc>
                   ${MPIEXEC_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(mpi_sweep PROPERTIES TIMEOUT 180)
endif()
