# Sweeps on a real cluster stack, started by the tests themselves (included from
# CMakeLists.txt in the non-sanitizer build, where the aidc target exists).

# The Slurm job-array recipe of tools/cluster/ on a one-node cluster (munged, slurmctld and
# slurmd in a temporary folder): the same results as one process, a failed task run again
# and merged again, another sweep's shard refused. Skipped (exit 77) when the cluster cannot
# start: not root, the Debian packages munge, slurmctld, slurmd and slurm-client missing, or
# a daemon that does not come up. RUN_SERIAL: its jobs take the machine's cores.
add_test(NAME slurm_sweep
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_test.sh $<TARGET_FILE:aidc>
                 ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(slurm_sweep PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 240 RUN_SERIAL TRUE
                                            LABELS cluster)
# With aidc's MPI mode, the test also runs one sweep as a 2-rank srun --mpi=pmix job step.
if(AIDC_MPI)
  set_property(TEST slurm_sweep APPEND PROPERTY ENVIRONMENT AIDC_MPI=1)
endif()
